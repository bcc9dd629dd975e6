-- The seed pipeline: page views from Kafka, per-page per-minute counts, results back to Kafka.
CREATE STREAM IF NOT EXISTS page_views (
  page TEXT,
  user_id BIGINT,
  ts TIMESTAMPTZ,
  WATERMARK FOR ts AS ts - INTERVAL '5 seconds'
) WITH (connector = 'kafka', topic = 'page_views', brokers = 'kafka:9092', format = 'json');

CREATE MATERIALIZED VIEW IF NOT EXISTS page_minute AS
  SELECT page, window_start AS minute, count(*) AS views
  FROM TUMBLE(page_views, ts, INTERVAL '1 minute')
  GROUP BY page, window_start;

CREATE SINK IF NOT EXISTS page_minute_kafka FROM page_minute
  WITH (connector = 'kafka', topic = 'page_minute', brokers = 'kafka:9092', format = 'json');
