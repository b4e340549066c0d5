# Production image: the Python package with the built front end. Build with
#   docker build -t ticketdesk .
FROM node:20-bookworm-slim AS frontend
WORKDIR /build
COPY . .
RUN if [ -f frontend/package.json ]; then \
      cd frontend && npm ci && npm run build; \
    fi

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 TICKETDESK_ENV=production
WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY src ./src
COPY --from=frontend /build/src/ticketdesk/static ./src/ticketdesk/static
RUN pip install --no-cache-dir -c constraints.txt . \
    && useradd --system --home /app ticketdesk
USER ticketdesk
EXPOSE 8000
CMD ["ticketdesk", "serve", "--host", "0.0.0.0", "--port", "8000"]
