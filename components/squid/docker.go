package squid

import (
	"fmt"

	"github.com/pulumi/pulumi-docker/sdk/v4/go/docker"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/egress-mesh/egress-mesh/components/agentgateway"
	"github.com/egress-mesh/egress-mesh/versions"
)

// dockerPrivateRanges are what Squid admits in docker mode: the private ranges Docker allocates network
// subnets from. kind's CNI masquerades pod traffic bound outside the pod CIDR, so Squid sees the kind
// *node's* address on the Docker network, never a pod address: the pod CIDR would admit nothing, and no
// range can tell the gateway's pods from any other pod on that node. The kind network's own subnet would be
// narrower, but Docker picks it when kind creates the network, after this configuration is written; the
// container publishes no port, so only containers on that network can reach Squid at all. What this admits,
// then: every container on the kind network (the nodes, so every pod in the cluster, and any other container
// attached there). The destination rules in Conf still limit it to the configured destinations, and proxy
// credentials (squidUsername/squidPassword, which only the gateway holds) narrow it to the gateway.
var dockerPrivateRanges = []string{"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"}

// inDocker runs Squid as a container on the kind network, reached by its address on that network.
func (c *Squid) inDocker(ctx *pulumi.Context, name string, args *Args) error {
	if args.Network == "" || args.ContainerName == "" {
		return fmt.Errorf("squid docker mode needs Network and ContainerName")
	}
	conf := Conf(dockerPrivateRanges, args.Destinations, args.Credentials != nil)

	image, err := docker.NewRemoteImage(ctx, name+"-image", &docker.RemoteImageArgs{
		Name: pulumi.String(versions.SquidImage),
		// Other stacks on the same machine may use the image: removing the container is enough.
		KeepLocally: pulumi.Bool(true),
	}, pulumi.Parent(c))
	if err != nil {
		return err
	}

	uploads := docker.ContainerUploadArray{&docker.ContainerUploadArgs{
		File: pulumi.String(ConfPath), Content: pulumi.String(conf),
	}}
	if args.Credentials != nil {
		line := htpasswd(ctx, args.Credentials)
		uploads = append(uploads, &docker.ContainerUploadArgs{
			File: pulumi.String(HtpasswdPath), Content: line,
		})
	}

	if c.Container, err = docker.NewContainer(ctx, name, &docker.ContainerArgs{
		Name:    pulumi.String(args.ContainerName),
		Image:   image.ImageId,
		Restart: pulumi.String("unless-stopped"),
		// Only the kind network: no published port, so nothing outside Docker can use the proxy.
		NetworksAdvanced: docker.ContainerNetworksAdvancedArray{&docker.ContainerNetworksAdvancedArgs{
			Name: pulumi.String(args.Network),
		}},
		Uploads: uploads,
	}, pulumi.Parent(c), pulumi.DependsOn(args.DependsOn)); err != nil {
		return err
	}

	network := args.Network
	address := c.Container.NetworkDatas.ApplyT(func(nets []docker.ContainerNetworkData) (string, error) {
		for _, n := range nets {
			if n.NetworkName != nil && *n.NetworkName == network && n.IpAddress != nil {
				return *n.IpAddress, nil
			}
		}
		return "", fmt.Errorf("squid container has no address on Docker network %q", network)
	}).(pulumi.StringOutput)

	c.Proxy = agentgateway.TunnelProxy{Host: address, Port: Port, Ready: []pulumi.Resource{c.Container}}
	c.Logs = Logs{Kind: "docker", Container: args.ContainerName}
	return nil
}
