#!/usr/bin/env bash
# Issue 21's GPU figures for the voxel transport solve, in one call on the GPU machine (one H200,
# 16 cores, no network; see ../shared/gpu/README.md and docs/transport.md, "On a GPU").
# It writes everything to $OUT (the device tool's result folder; bench-out/gpu elsewhere):
#   env.txt              GPU, driver, numba/torch versions, load
#   cuda_tests.txt       tests/transport/test_cuda_kernels.py on the GPU (CUDA op table vs CPU)
#   transport_cuda.txt   benchmarks/transport.py --device cuda: 300³ and 500³ blobs at ε = 0.3,
#   transport_cuda.json  cathodetwin CUDA vs TauFactor on the same GPU (transfers included) and
#                        cathodetwin's CPU path (16 threads) for the τ check
#   cuda_kernels.txt     benchmarks/cuda_kernels.py --size 500: ms and GB/s per op, setup steps
# Done when (issue 21): 500³ in ≤ 3 s including transfer, ≥ 8× TauFactor on the same GPU,
# |τ_cuda − τ_cpu| / τ_cpu ≤ 1e-6. Budget: about 5 of the 8 minutes one call may take.
#
# Prepare on a machine with network, in the project root, after `make test` made .venv:
#     bash ../shared/gpu/prep.sh      # wheels into .whl/, the IPython stub into .devstub/
# then run on the GPU machine with .whl and .devstub carried:
#     bash benchmarks/gpu_check.sh
set -u
OUT=${OUT:-bench-out/gpu}
mkdir -p "$OUT"
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl || exit 1
export PYTHONPATH=/tmp/site:$PWD/src:$PWD/.devstub NUMBA_CACHE_DIR=/tmp/nc PYTHONUNBUFFERED=1
{
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv
  python3 -c "import numba, numba.cuda as c, numpy, scipy, torch; print('numba', numba.__version__,
'cuda available', c.is_available(), 'numpy', numpy.__version__, 'scipy', scipy.__version__,
'torch', torch.__version__, 'torch cuda', torch.cuda.is_available())"
  echo "cpus $(nproc)"; uptime
} > "$OUT/env.txt" 2>&1
cat "$OUT/env.txt"
# 1. Every CUDA kernel, the setup and whole solves against the CPU path (~1-2 min, compiling).
timeout 200 python3 -m pytest -q -p no:cacheprovider -rs tests/transport/test_cuda_kernels.py \
  2>&1 | tee "$OUT/cuda_tests.txt"
# 2. The done-when figures (~2-3 min: volumes, warm-up, CPU solves and TauFactor included).
timeout 330 python3 benchmarks/transport.py --device cuda --sizes 300 500 --volumes blobs \
  --threads 16 --json "$OUT/transport_cuda.json" 2>&1 | tee "$OUT/transport_cuda.txt"
# 3. Where the time goes, op by op (~30 s).
timeout 90 python3 benchmarks/cuda_kernels.py --size 500 2>&1 | tee "$OUT/cuda_kernels.txt"
uptime | tee -a "$OUT/env.txt"
