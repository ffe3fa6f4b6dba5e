# The public demo: the dashboard in public mode (EQGNN_PUBLIC=1, the caps of eqgnn.limits),
# as a non-root user, with 3Dmol.js installed from npm at build time (nothing is fetched
# when it runs). Build and run:
#   docker build -t eqgnn .            (podman build works the same)
#   docker run -p 8501:8501 eqgnn
# A GPU image: --build-arg TORCH_INDEX=https://download.pytorch.org/whl/cu128, then
#   docker run --gpus all -p 8501:8501 eqgnn   (live runs use cuda when it is present).
ARG BASE=python:3.11-slim
FROM ${BASE}

# npm only at build time, for 3Dmol.js (setup.sh copies it to static/).
RUN apt-get update \
    && apt-get install -y --no-install-recommends npm \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 1000 eqgnn
WORKDIR /app
COPY --chown=eqgnn:eqgnn . .
USER eqgnn

# torch's CPU wheels by default: PyPI's Linux wheel is the CUDA build (gigabytes).
ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu
RUN PIP_EXTRA_INDEX_URL=${TORCH_INDEX} PIP_NO_CACHE_DIR=1 ./setup.sh \
    && rm -rf .npm-3dmol /home/eqgnn/.npm

ENV EQGNN_PUBLIC=1 \
    EQGNN_STORE=/home/eqgnn/results \
    PYTHONUNBUFFERED=1
EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD [".venv/bin/python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).read() != b'ok')"]
CMD [".venv/bin/python", "-m", "ui.serve", "--server.address", "0.0.0.0", \
     "--server.port", "8501", "--server.headless", "true", \
     "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"]
