package ollama

import (
	"fmt"

	"github.com/pulumi/pulumi-docker/sdk/v4/go/docker"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// defaultPort is where Ollama listens unless OLLAMA_HOST names another port.
const defaultPort = 11434

// newContainer pulls the pinned image and runs it on the kind network with the model store on a volume.
// Docker resources use the default Docker provider (the local daemon kind also runs on) and outlive no
// cluster: they are really deleted on destroy, so no DeletedWith.
func newContainer(ctx *pulumi.Context, name string, args *Args, parent pulumi.Resource) (*docker.Container, error) {
	image, err := docker.NewRemoteImage(ctx, name+"-image", &docker.RemoteImageArgs{
		Name: pulumi.String(args.Image),
		// Several GB: keep it on destroy so the next `up` does not download it again.
		KeepLocally: pulumi.Bool(true),
	}, pulumi.Parent(parent))
	if err != nil {
		return nil, err
	}
	// The seed's named volume: models survive a container replacement.
	volume, err := docker.NewVolume(ctx, name+"-volume", &docker.VolumeArgs{
		Name: pulumi.String("ollama"),
	}, pulumi.Parent(parent))
	if err != nil {
		return nil, err
	}

	return docker.NewContainer(ctx, name+"-container", &docker.ContainerArgs{
		Name:  pulumi.String(args.ContainerName),
		Image: image.ImageId,
		// Listen on every interface, not just loopback, so pods reach it across the kind network.
		Envs: pulumi.StringArray{pulumi.String(ollamaHost(args.Port))},
		// kind's network, not the default bridge: Docker isolates the two (notes/resources.md, mistake 7).
		NetworksAdvanced: docker.ContainerNetworksAdvancedArray{
			&docker.ContainerNetworksAdvancedArgs{Name: pulumi.String(args.Network)},
		},
		Volumes: docker.ContainerVolumeArray{&docker.ContainerVolumeArgs{
			VolumeName:    volume.Name,
			ContainerPath: pulumi.String("/root/.ollama"),
		}},
		// Published on the host's loopback only: the host can try it, nothing else on the LAN can.
		Ports: docker.ContainerPortArray{&docker.ContainerPortArgs{
			Internal: pulumi.Int(args.Port),
			External: pulumi.Int(args.Port),
			Ip:       pulumi.String("127.0.0.1"),
		}},
		Restart: pulumi.String("unless-stopped"),
	}, pulumi.Parent(parent), pulumi.DependsOn(args.DependsOn))
}

// ollamaHost is the OLLAMA_HOST value: the notes' "0.0.0.0" on the default port, with the port otherwise.
func ollamaHost(port int) string {
	if port == defaultPort {
		return "OLLAMA_HOST=0.0.0.0"
	}
	return fmt.Sprintf("OLLAMA_HOST=0.0.0.0:%d", port)
}

// addressOn is the container's IPv4 on one network. A container not on it is an error, rather than an
// empty endpoint in the ServiceEntry.
func addressOn(container *docker.Container, network string) pulumi.StringOutput {
	return container.NetworkDatas.ApplyT(func(nets []docker.ContainerNetworkData) (string, error) {
		for _, n := range nets {
			if n.NetworkName != nil && *n.NetworkName == network && n.IpAddress != nil && *n.IpAddress != "" {
				return *n.IpAddress, nil
			}
		}
		return "", fmt.Errorf("container has no IPv4 address on network %q", network)
	}).(pulumi.StringOutput)
}
