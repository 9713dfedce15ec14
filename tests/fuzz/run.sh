#!/usr/bin/env bash
# A longer fuzz run by hand: grpc-dotnet in-process (the test EchoService) and the three real services,
# SPASM_FUZZ_ITERATIONS requests each (default 20000). New findings of the services are written into tests/fuzz/corpus
# (review and commit them with the fix). The in-process run's go to a temporary folder, printed: the harness also saves
# the answers grpc-dotnet documents (which GrpcLayerFuzzTests accepts), so copy over only those the test reported.
#   bash tests/fuzz/run.sh                      # random seed, printed
#   SPASM_FUZZ_SEED=1234 bash tests/fuzz/run.sh # replay a run
# Needs PostgreSQL and RabbitMQ (SPASM_POSTGRES / SPASM_RABBITMQ, or .spasm/env from ./spasm up or ./spasm test).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
if [[ -f .spasm/env ]]; then . .spasm/env; fi
export SPASM_FUZZ_ITERATIONS="${SPASM_FUZZ_ITERATIONS:-20000}"
export SPASM_FUZZ_SEED="${SPASM_FUZZ_SEED:-$RANDOM$RANDOM}"
export SPASM_FUZZ_FINDINGS="${SPASM_FUZZ_FINDINGS:-$root/tests/fuzz/corpus}"
echo "fuzz: seed $SPASM_FUZZ_SEED, $SPASM_FUZZ_ITERATIONS iterations per test, findings into $SPASM_FUZZ_FINDINGS"
dotnet build SpasmPlatform.sln -c Release -v quiet -nologo
status=0
log="$(mktemp)"
layer_findings="$(mktemp -d)"
for project in tests/SpasmPlatform.Grpc.Tests tests/SpasmPlatform.IntegrationTests; do
  findings="$SPASM_FUZZ_FINDINGS"
  if [[ "$project" == tests/SpasmPlatform.Grpc.Tests ]]; then findings="$layer_findings"; fi
  SPASM_FUZZ_FINDINGS="$findings" dotnet test "$project" -c Release --no-build \
    --filter "FullyQualifiedName~LayerFuzzTests|FullyQualifiedName~ServiceFuzzTests.Every" \
    --logger "console;verbosity=detailed" >"$log" 2>&1 || status=1
  grep -E '^ +(fuzz seed|answers|mutations|findings|  [0-9]+x|  saved|OK writes|[0-9]+ findings are grpc-dotnet)|Test Run (Successful|Failed)' "$log" || true
done
echo "fuzz: the in-process run's findings are in $layer_findings"
rm -f "$log"
exit $status
