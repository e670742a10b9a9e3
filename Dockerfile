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
COPY channels ./channels
COPY classifier ./classifier
COPY conversation ./conversation
COPY fangsiang ./fangsiang
COPY history ./history
COPY inbox ./inbox
COPY listeners ./listeners
COPY places ./places
COPY reports ./reports
COPY runtime ./runtime
COPY storage ./storage
COPY web ./web
COPY worker ./worker
# The e5 vectors of the bundled training texts are computed here, once, into the installed package (run from / so
# the installed classifier is the one imported): the service's first start then trains in ~50 s instead of also
# embedding ~4,000 texts (~110k e5 tokens, 110-140 CPU-seconds) — a derived cache, rebuilt with the image.
RUN pip install . && (cd / && python -m classifier.training --build-embedding-cache > /dev/null) \
    && useradd --system --home /var/lib/fangsiang fangsiang \
    && mkdir -p /var/lib/fangsiang/models && chown -R fangsiang /var/lib/fangsiang
USER fangsiang
EXPOSE 8000
CMD ["fangsiang", "serve", "--host", "0.0.0.0", "--port", "8000", "--no-worker"]
