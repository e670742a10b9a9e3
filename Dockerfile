# Fang Siang service image: the same image runs the web app (`fangsiang serve`) and workers (`fangsiang worker`).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    FANGSIANG_DATA_DIR=/var/lib/fangsiang
WORKDIR /app
# Pango for the PDF report (WeasyPrint), Thai fonts for the PDF and the LINE rich-menu image.
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
        fonts-thai-tlwg-ttf fontconfig && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
# One directory per room (see README "Layout").
COPY agency ./agency
COPY accounts ./accounts
COPY analytics ./analytics
COPY bot ./bot
COPY cases ./cases
COPY classifier ./classifier
COPY conversation ./conversation
COPY fangsiang ./fangsiang
COPY inbox ./inbox
COPY listeners ./listeners
COPY reports ./reports
COPY storage ./storage
COPY web ./web
COPY worker ./worker
RUN pip install . && useradd --system --home /var/lib/fangsiang fangsiang \
    && mkdir -p /var/lib/fangsiang/models && chown -R fangsiang /var/lib/fangsiang
USER fangsiang
EXPOSE 8000
CMD ["fangsiang", "serve", "--host", "0.0.0.0", "--port", "8000", "--no-worker"]
