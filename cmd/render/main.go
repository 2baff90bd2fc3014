// Command render shows everything a stack would deploy, with no cluster and no credentials: it runs the same
// program code as `pulumi up` against an in-process stand-in for the engine and writes the result.
//
//	go run ./cmd/render --stack dev --out out/dev
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/egress-mesh/egress-mesh/internal/render"
)

func main() {
	stack := flag.String("stack", "dev", "stack name: reads Pulumi.<stack>.yaml")
	out := flag.String("out", "", "output directory (default out/<stack>)")
	dir := flag.String("dir", ".", "project directory (where Pulumi.yaml is)")
	deployed := flag.Bool("deployed", false, "render as after deployment (fake provider outputs) instead of as a preview (unknowns shown as <unknown: ...>)")
	flag.Parse()
	if *out == "" {
		*out = "out/" + *stack
	}

	res, err := render.RunStack(*dir, *stack, !*deployed)
	if err != nil {
		fmt.Fprintf(os.Stderr, "render %s: %v\n", *stack, err)
		os.Exit(1)
	}
	if err := res.Write(*out); err != nil {
		fmt.Fprintf(os.Stderr, "render %s: %v\n", *stack, err)
		os.Exit(1)
	}
	fmt.Print(res.Summary())
	fmt.Printf("\nwrote %s/{objects.yaml,helm.yaml,graph.dot,summary.txt}\n", *out)
}
