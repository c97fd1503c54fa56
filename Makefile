# The two commands of README.md. Each installs what it needs on a fresh Debian machine.
SWIFT ?= swift
ARGS ?=

.PHONY: run test bench deps build

deps:
	@bash scripts/install-deps

build: deps
	$(SWIFT) build -c release --product dtrn

run: build
	.build/release/dtrn $(ARGS)

test: deps
	bash scripts/test

bench: build
	.build/release/dtrn bench kernels
