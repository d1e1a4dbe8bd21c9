# Thin aliases for the scripts; the scripts are the source of truth.
# Pass extra arguments with ARGS, e.g. `make test ARGS="-k scene -x"`.
.PHONY: bootstrap test run bench

bootstrap:
	./scripts/bootstrap

test:
	./scripts/test $(ARGS)

run:
	./scripts/run $(ARGS)

# Quick settings by default; `make bench ARGS=--full` for the real figures, ARGS="codec" for one.
bench: bootstrap
	./scripts/bench $(ARGS)
