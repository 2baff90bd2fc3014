# egress-mesh: `make up` to deploy a stack, `make test` for everything CI runs.
STACK ?= dev
GO    ?= go

.PHONY: up preview destroy verify render test unit conformance vet lint controlplane toolchain engines crds e2e

up: ## Deploy the stack (kind cluster, mesh, gateway, backend, authz, client).
	pulumi stack select --create $(STACK)
	pulumi up --yes --stack $(STACK)

preview: ## Show what `up` would change.
	pulumi preview --diff --stack $(STACK)

destroy: ## Remove everything the stack made (kind cluster and Docker containers included).
	pulumi destroy --yes --stack $(STACK)

verify: ## Run the seed's checks against the live stack.
	$(GO) run ./cmd/verify --stack $(STACK)

render: ## Render every object, chart and edge of the stack offline into out/$(STACK).
	$(GO) run ./cmd/render --stack $(STACK) --out out/$(STACK)

controlplane: ## Build kube-apiserver and etcd from the Go module proxy into the cache (seconds when cached).
	bash hack/controlplane-binaries.sh

toolchain: controlplane ## Build the simulated cluster (controller manager, scheduler, kwok) and the Pulumi CLI, Go language host and Kubernetes provider into the cache (tens of minutes cold on 2 cores; seconds when cached).
	bash hack/toolchain-binaries.sh

engines: ## Build the Kyverno CLI, kyverno-authz's Envoy authz server and Istio's ext-authz sample into the cache (Squid: apt-get install squid).
	bash hack/engine-binaries.sh

crds: ## Download the pinned CRD and chart files and pull the pinned charts into the cache's chart mirror (needs internet and helm).
	bash hack/fetch-schemas.sh
	GO=$(GO) bash hack/fetch-charts.sh

vet:
	$(GO) vet ./...
	$(GO) vet -tags e2e ./tests/e2e/...

lint: ## Lint the GitHub workflows.
	bash hack/actionlint.sh

# internal/pulumiengine is named first so go test builds and starts it first (its priority is its place in the
# list): it is the longest package by far and mostly waits on the engine, so the rest build and run beside it.
# -vet=off: the vet prerequisite has just run go vet's full suite on the same packages and their tests, a superset
# of the checks go test runs; go test's own pass would vet every dependency again for its smaller set of analyzers
# (about 130 CPU-seconds in a cold run, process accounting of 2026-12-02).
# -ldflags=-w: no DWARF in the test binaries (only a debugger reads it; stack traces come from the symbol table);
# linking the pulumiengine test binary took 8.5-9.4 CPU-seconds instead of 11.5-11.8.
test: toolchain engines vet lint ## What CI runs: vet, workflow lint, unit, whole-stack, conformance, engine tests and a real `pulumi up` of both stacks.
	$(GO) test -vet=off -ldflags=-w -count=1 -timeout 45m ./internal/pulumiengine/ ./...

unit: ## Fast loop: everything but the real API server.
	$(GO) test -short ./...

e2e: ## End to end on a machine with Docker and kind (both stacks in turn; not measured here).
	$(GO) test -tags e2e -count=1 -timeout 120m ./tests/e2e/...
