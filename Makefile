# The two commands of README.md. Each installs what it needs on a fresh Debian machine.
SWIFT ?= swift
ARGS ?=

.PHONY: run test bench deps build

deps:
	@bash scripts/install-deps

# The release binary carries the Swift runtime and Foundation (--static-swift-stdlib): it runs
# where no Swift toolchain is installed and keeps about 3–6 MB less resident.
build: deps
	$(SWIFT) build -c release --static-swift-stdlib --product dtrn

run: build
	. scripts/openblas-env; .build/release/dtrn $(ARGS)

test: deps
	bash scripts/test

bench: build
	. scripts/openblas-env; .build/release/dtrn bench kernels
