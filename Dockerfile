# The app in one container: `docker build -t lossapp . && docker run -p 8501:8501 lossapp`.
# Several replicas behind nginx: see deploy/ and the README's "Deployment" section.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY requirements.txt ./
RUN pip install -r requirements.txt

# Only what the app runs (.dockerignore keeps everything else out of the build context too).
COPY .streamlit/ ./.streamlit/
COPY app.py ./
COPY app_pages/ ./app_pages/
COPY lossapp/ ./lossapp/
COPY losscore/ ./losscore/
# lossapp as an installed package: Streamlit serves the chart component's files only for one (lossapp/pyproject.toml)
RUN pip install --no-deps -e ./lossapp
# plotly.js for the charts, served from static/ (lossapp.live_chart would copy it at startup, but the app user
# cannot write to /app).
RUN mkdir -p static && cp "$(python -c 'import plotly, pathlib; print(pathlib.Path(plotly.__file__).parent)')/package_data/plotly.min.js" static/

RUN useradd --create-home --uid 10001 lossapp
USER lossapp

EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=40s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).status != 200)"]

# The Makefile's `make run` command, listening on every interface of the container.
CMD ["streamlit", "run", "app.py", "--server.port", "8501", "--server.address", "0.0.0.0"]
