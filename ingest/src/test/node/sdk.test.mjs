// The real Segment, Amplitude and PostHog Node SDKs, pointed at a running Spectrum ingest service
// through their host options, send a realistic mix; then the exact rows in staging.raw_events are
// checked with psql, and a re-sent message id is counted once after the pipeline.
//
// Run by .ci/run through run.sh (which starts the service): SPECTRUM_INGEST_URL, SPECTRUM_WRITE_KEY,
// SPECTRUM_SDK_DB (the service's database on localhost:5432, user postgres).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Analytics } from '@segment/analytics-node';
import * as amplitude from '@amplitude/analytics-node';
import { PostHog } from 'posthog-node';

const url = process.env.SPECTRUM_INGEST_URL;
const key = process.env.SPECTRUM_WRITE_KEY;
const db = process.env.SPECTRUM_SDK_DB;

function sql(query) {
  return execFileSync('psql', ['-X', '-At', '-F', '|', '-h', 'localhost', '-U', 'postgres', '-d', db, '-c', query],
    { encoding: 'utf8' }).trim();
}

function row(eventId) {
  return sql(`SELECT event_type, coalesce(user_id, ''), coalesce(anonymous_id, ''), coalesce(account_id, ''),
                     to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), properties::text, source
              FROM staging.raw_events WHERE event_id = '${eventId}'`);
}

test('Segment: track, identify, page and group arrive as rows', async () => {
  const analytics = new Analytics({ writeKey: key, host: url, maxEventsInBatch: 10, flushInterval: 50 });
  const ids = { track: randomUUID(), identify: randomUUID(), page: randomUUID(), group: randomUUID() };
  analytics.identify({ userId: 'seg-user', anonymousId: 'seg-anon', traits: { plan: 'pro' }, messageId: ids.identify,
    timestamp: new Date('2026-11-20T09:00:00.250Z') });
  analytics.track({ userId: 'seg-user', event: 'Order Completed', properties: { revenue: 49.9, account_id: 'acme' },
    messageId: ids.track, timestamp: new Date('2026-11-20T09:05:00.500Z') });
  analytics.page({ userId: 'seg-user', name: 'Pricing', properties: { path: '/pricing' }, messageId: ids.page,
    timestamp: new Date('2026-11-20T09:06:00.000Z') });
  analytics.group({ userId: 'seg-user', groupId: 'acme', traits: { name: 'Acme' }, messageId: ids.group,
    timestamp: new Date('2026-11-20T09:07:00.000Z') });
  await analytics.closeAndFlush({ timeout: 10000 });

  assert.equal(row(ids.identify), 'identify|seg-user|seg-anon||2026-11-20T09:00:00.250Z|{"plan": "pro"}|sdk');
  assert.equal(row(ids.track), 'Order Completed|seg-user|||2026-11-20T09:05:00.500Z|{"revenue": 49.9, "account_id": "acme"}|sdk'
    .replace('|||', '||acme|'));
  assert.equal(row(ids.page), 'page|seg-user|||2026-11-20T09:06:00.000Z|{"name": "Pricing", "path": "/pricing"}|sdk');
  assert.equal(row(ids.group), 'group|seg-user||acme|2026-11-20T09:07:00.000Z|{"name": "Acme"}|sdk');
});

test('Amplitude: events with insert ids, device ids, groups and times in ms arrive as rows', async () => {
  await amplitude.init(key, { serverUrl: `${url}/2/httpapi`, flushQueueSize: 10, flushIntervalMillis: 50, logLevel: 0 }).promise;
  const insertId = randomUUID();
  const tracked = amplitude.track('Song Played', { genre: 'jazz' }, {
    user_id: 'amp-user', device_id: 'amp-device', insert_id: insertId, time: Date.parse('2026-11-20T10:00:00.125Z'),
    groups: { account: 'beta' },
  });
  const identify = new amplitude.Identify().set('age', 30);
  const identifyId = randomUUID();
  amplitude.identify(identify, { user_id: 'amp-user', device_id: 'amp-device', insert_id: identifyId,
    time: Date.parse('2026-11-20T10:01:00.000Z') });
  await amplitude.flush().promise;
  const result = await tracked.promise;
  assert.equal(result.code, 200, result.message);

  assert.equal(row(insertId), 'Song Played|amp-user|amp-device|beta|2026-11-20T10:00:00.125Z|{"genre": "jazz"}|sdk');
  const identifyRow = row(identifyId).split('|');
  assert.deepEqual(identifyRow.slice(0, 5), ['$identify', 'amp-user', 'amp-device', '', '2026-11-20T10:01:00.000Z']);
  assert.match(identifyRow[5], /"\$set": \{"age": 30\}/);
});

test('PostHog: capture and identify (with $anon_distinct_id) arrive as rows', async () => {
  const client = new PostHog(key, { host: url, flushAt: 1, flushInterval: 0 });
  const captureId = randomUUID();
  client.capture({ distinctId: 'ph-user', event: 'checkout started', properties: { step: 2, $groups: { account: 'gamma' } },
    timestamp: new Date('2026-11-21T08:00:00.000Z'), uuid: captureId });
  client.identify({ distinctId: 'ph-user', properties: { $anon_distinct_id: 'ph-anon', $set: { plan: 'team' } } });
  await client.shutdown(10000);
  assert.equal(row(captureId), 'checkout started|ph-user||gamma|2026-11-21T08:00:00.000Z|{"step": 2}|sdk');
  // the identify call links the anonymous id to the user (an identity link for the pipeline)
  assert.equal(sql(`SELECT event_type || '|' || user_id || '|' || anonymous_id || '|' || (properties -> '$set' ->> 'plan')
                    FROM staging.raw_events WHERE event_type = '$identify' AND user_id = 'ph-user'`),
    '$identify|ph-user|ph-anon|team');
});

test('a message id sent twice counts once after the pipeline', async () => {
  const analytics = new Analytics({ writeKey: key, host: url, maxEventsInBatch: 1, flushInterval: 50 });
  const id = `retry-${randomUUID()}`;   // not a UUID: becomes a UUID v5, the same each time
  for (let i = 0; i < 2; i++) {
    analytics.track({ userId: 'seg-retry', event: 'Retried', messageId: id, timestamp: new Date('2026-11-22T10:00:00.000Z') });
  }
  await analytics.closeAndFlush({ timeout: 10000 });
  assert.equal(sql(`SELECT count(*) FROM staging.raw_events WHERE event_type = 'Retried'`), '2');
  sql('CALL warehouse.run_pipeline(refresh => false)');
  assert.equal(sql(`SELECT count(*) FROM warehouse.event_stream WHERE event_type = 'Retried'`), '1');
});
