// Command egress-mesh is the Pulumi program: `pulumi up` runs it. All of it lives in stacks/ and
// components/, so tests and cmd/render run exactly the same code.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/egress-mesh/egress-mesh/stacks"
)

func main() { pulumi.Run(stacks.Run) }
