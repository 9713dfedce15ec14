#!/usr/bin/env bash
# A longer fuzz run by hand: the gRPC layer in-process and the three real services, SPASM_FUZZ_ITERATIONS requests
# each (default 20000). New findings are written into tests/fuzz/corpus (review and commit them with the fix).
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
for project in tests/SpasmPlatform.Grpc.Tests tests/SpasmPlatform.IntegrationTests; do
  dotnet test "$project" -c Release --no-build --filter "FullyQualifiedName~LayerFuzzTests|FullyQualifiedName~ServiceFuzzTests.Every" \
    --logger "console;verbosity=detailed" >"$log" 2>&1 || status=1
  grep -E '^ +(fuzz seed|answers|mutations|findings|  [0-9]+x|  saved|OK writes)|Test Run (Successful|Failed)' "$log" || true
done
rm -f "$log"
exit $status
