// Ingest benchmark (bars.md): 500-event batches from several concurrent clients to the running
// service, beside a raw COPY of the same events into staging.raw_events in 500-row transactions
// from the same number of clients, in the same run. Then the p50/p99 latency at half of the
// maximum HTTP rate. Run through bench/ingest.sh, which starts the service.
//
//   java -cp "cli/target/lib/*" bench/IngestBench.java URL KEY JDBC_URL [clients] [batches per client] [service pid]
//
// With the service's pid it also prints the service's CPU per event during the max-rate run.
// WARMUP_SECONDS (default 10) of HTTP traffic, and a few COPY batches, come first, not counted.
//
// A mode "bodies" (bench/ingest-cpu.sh) writes N request bodies of that shape to files:
//
//   java -cp "cli/target/lib/*" bench/IngestBench.java bodies DIR N
//
// A second mode, "load" (bench/serve.sh): the clients send fresh 500-event batches for a fixed
// time, as fast as they can (rate 0) or paced to a fixed rate in events/s over all clients; a 503
// (or a failed connection) is retried with the same batch (same event_ids), as a client must. It
// prints one RESULT line (requests, accepted first time, 503s retried, p50/p99 of every attempt)
// and COPYs the acknowledged event_ids into public.serve_bench_acked (phase, event_id) of JDBC_URL,
// so that the script can count those missing from the warehouse.
//
//   java -cp "cli/target/lib/*" bench/IngestBench.java load URL KEY JDBC_URL clients seconds rate phase

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;

public class IngestBench {

    static final int BATCH = 500;

    record Batch(String json, String copy) {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("bodies")) {   // bench/ingest-cpu.sh: request bodies to files
            java.nio.file.Path dir = java.nio.file.Path.of(args[1]);
            for (int i = 0; i < Integer.parseInt(args[2]); i++) {
                java.nio.file.Files.writeString(dir.resolve("body-" + i + ".json"), batch().json());
            }
            return;
        }
        if (args.length > 0 && args[0].equals("load")) {
            load(args[1], args[2], args[3], Integer.parseInt(args[4]), Integer.parseInt(args[5]), Double.parseDouble(args[6]), args[7]);
            return;
        }
        String url = args[0];
        String key = args[1];
        String jdbc = args[2];
        int clients = args.length > 3 ? Integer.parseInt(args[3]) : 4;
        int batchesPerClient = args.length > 4 ? Integer.parseInt(args[4]) : 100;
        String servicePid = args.length > 5 ? args[5] : null;
        int total = clients * batchesPerClient;

        List<Batch> batches = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            batches.add(batch());
        }
        System.out.printf("machine: %d cores, Java %s; %d clients x %d batches of %d events%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), clients, batchesPerClient, BATCH);

        // Warm up both sides before anything is timed: the service's JIT compiles its hot paths in
        // the first seconds of traffic (that compilation took about 40% of the service's CPU in a
        // 10-second run), and the client's COPY path is warmed the same way. A service runs for
        // days; the bar is about its steady state.
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        double warmup = Double.parseDouble(System.getenv().getOrDefault("WARMUP_SECONDS", "10"));
        long warmupEnd = System.nanoTime() + (long) (warmup * 1e9);
        long[] warmupLatencies = new long[total];
        while (System.nanoTime() < warmupEnd) {
            http(http, url, key, batches.subList(0, Math.min(total, 40 * clients)), clients, warmupLatencies, 0);
        }
        copyBaseline(jdbc, batches.subList(0, Math.min(total, 40 * clients)), clients);
        System.out.printf("warm-up: %.0f s of HTTP batches and %d COPY batches, not counted%n", warmup, Math.min(total, 40 * clients));

        double copyRate = copyBaseline(jdbc, batches, clients);
        System.out.printf("%-34s %10.0f events/s%n", "raw COPY, 500-row transactions", copyRate);

        long[] latencies = new long[total];
        long cpuBefore = serviceCpuTicks(servicePid);
        double httpRate = http(http, url, key, batches, clients, latencies, 0);
        long cpuAfter = serviceCpuTicks(servicePid);
        Arrays.sort(latencies);
        System.out.printf("%-34s %10.0f events/s   %5.1f%% of COPY   p50 %5.1f ms   p99 %5.1f ms%n",
                "HTTP POST /v1/events, max rate", httpRate, 100 * httpRate / copyRate,
                latencies[total / 2] / 1e6, latencies[(int) (total * 0.99)] / 1e6);
        if (servicePid != null) {
            double cpuSeconds = (cpuAfter - cpuBefore) / 100.0;
            System.out.printf("%-34s %10.1f µs of CPU per event at the max rate (%.1f s of CPU for %d events)%n",
                    "ingest service", cpuSeconds * 1e6 / ((double) total * BATCH), cpuSeconds, total * BATCH);
        }

        double target = httpRate / 2;
        long[] halfLatencies = new long[total];
        double halfRate = http(http, url, key, batches, clients, halfLatencies, target);
        Arrays.sort(halfLatencies);
        System.out.printf("%-34s %10.0f events/s                     p50 %5.1f ms   p99 %5.1f ms%n",
                "HTTP at half the max rate", halfRate, halfLatencies[total / 2] / 1e6, halfLatencies[(int) (total * 0.99)] / 1e6);
    }

    /** user + system CPU of a process in clock ticks (USER_HZ, 100 on Linux), or 0 without a pid. */
    static long serviceCpuTicks(String pid) throws java.io.IOException {
        if (pid == null) {
            return 0;
        }
        String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", pid, "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime (fields 14, 15)
    }

    static double copyBaseline(String jdbc, List<Batch> batches, int clients) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long start = System.nanoTime();
        List<Future<?>> done = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int client = c;
            done.add(pool.submit(() -> {
                try (Connection conn = DriverManager.getConnection(jdbc, "postgres", "")) {
                    conn.setAutoCommit(false);
                    var copy = conn.unwrap(PGConnection.class).getCopyAPI();
                    for (int i = client; i < batches.size(); i += clients) {
                        copy.copyIn("COPY staging.raw_events (event_id, event_type, account_id, user_id, anonymous_id,"
                                + " occurred_at, received_at, properties, context, source) FROM STDIN",
                                new java.io.StringReader(batches.get(i).copy()));
                        conn.commit();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        return (double) batches.size() * BATCH / ((System.nanoTime() - start) / 1e9);
    }

    /** Sends every batch; with a target rate (events/s, over all clients) paces the sends. */
    static double http(HttpClient http, String url, String key, List<Batch> batches, int clients, long[] latencies,
                       double targetRate) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long start = System.nanoTime();
        double interval = targetRate > 0 ? BATCH * clients / targetRate * 1e9 : 0; // ns between one client's sends
        List<Future<?>> done = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int client = c;
            done.add(pool.submit(() -> {
                long next = System.nanoTime() + (long) (interval * client / clients);
                for (int i = client; i < batches.size(); i += clients) {
                    if (interval > 0) {
                        long wait = next - System.nanoTime();
                        if (wait > 0) {
                            TimeUnit.NANOSECONDS.sleep(wait);
                        }
                        next += (long) interval;
                    }
                    long t0 = System.nanoTime();
                    int status = post(http, url, key, batches.get(i).json());
                    latencies[i] = System.nanoTime() - t0;
                    if (status != 202) {
                        throw new IllegalStateException("HTTP " + status);
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        return (double) batches.size() * BATCH / ((System.nanoTime() - start) / 1e9);
    }

    /** The "load" mode: see the head of this file. */
    static void load(String url, String key, String jdbc, int clients, int seconds, double rate, String phase) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(java.time.Duration.ofSeconds(5)).build();
        // warm-up, as in the main mode: WARMUP_SECONDS (default 10) of batches from every client, then
        // at least 60 batches in all (not counted, not kept: their events are not checked)
        double warmup = Double.parseDouble(System.getenv().getOrDefault("WARMUP_SECONDS", "10"));
        long warmupEnd = System.nanoTime() + (long) (warmup * 1e9);
        ExecutorService warmers = Executors.newFixedThreadPool(clients);
        List<Future<?>> warming = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            warming.add(warmers.submit(() -> {
                int sent = 0;
                while (System.nanoTime() < warmupEnd || sent < 60 / clients + 1) {
                    post(http, url, key, jsonBatch(new long[2 * BATCH]));
                    sent++;
                }
                return null;
            }));
        }
        for (Future<?> f : warming) {
            f.get();
        }
        warmers.shutdown();
        long[][] acked = new long[clients][];
        long[][] lat = new long[clients][];
        int[] ackedCount = new int[clients];
        int[] latCount = new int[clients];
        long[] requests = new long[clients];
        long[] firstTime = new long[clients];
        long[] retried503 = new long[clients];
        long[] otherFailures = new long[clients];
        double interval = rate > 0 ? BATCH * clients / rate * 1e9 : 0; // ns between one client's sends
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        List<Future<?>> done = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int client = c;
            done.add(pool.submit(() -> {
                long[] ids = new long[1 << 16];
                long[] latencies = new long[1 << 12];
                int n = 0;
                int l = 0;
                long next = start + (long) (interval * client / clients);
                while (true) {
                    if (interval > 0) {
                        long wait = next - System.nanoTime();
                        if (wait > 0) {
                            TimeUnit.NANOSECONDS.sleep(wait);
                        }
                        next += (long) interval;
                    }
                    if (System.nanoTime() >= end) {
                        break;
                    }
                    long[] batchIds = new long[2 * BATCH];
                    String json = jsonBatch(batchIds);
                    requests[client]++;
                    boolean first = true;
                    while (true) {   // until acknowledged: a 503 or a lost connection is retried, same event_ids
                        long t0 = System.nanoTime();
                        int status;
                        try {
                            status = post(http, url, key, json);
                        } catch (java.io.IOException e) {
                            status = -1;
                        }
                        if (l == latencies.length) {
                            latencies = Arrays.copyOf(latencies, 2 * l);
                        }
                        latencies[l++] = System.nanoTime() - t0;
                        if (status == 202) {
                            if (first) {
                                firstTime[client]++;
                            }
                            break;
                        }
                        if (status == 503) {
                            retried503[client]++;
                        } else {
                            otherFailures[client]++;
                        }
                        first = false;
                        TimeUnit.MILLISECONDS.sleep(200);
                    }
                    if (n + batchIds.length > ids.length) {
                        ids = Arrays.copyOf(ids, 2 * ids.length);
                    }
                    System.arraycopy(batchIds, 0, ids, n, batchIds.length);
                    n += batchIds.length;
                }
                acked[client] = ids;
                ackedCount[client] = n;
                lat[client] = latencies;
                latCount[client] = l;
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        pool.shutdown();

        long totalRequests = 0, totalFirst = 0, total503 = 0, totalOther = 0, events = 0;
        int attempts = 0;
        for (int c = 0; c < clients; c++) {
            totalRequests += requests[c];
            totalFirst += firstTime[c];
            total503 += retried503[c];
            totalOther += otherFailures[c];
            events += ackedCount[c] / 2;
            attempts += latCount[c];
        }
        long[] all = new long[attempts];
        int k = 0;
        for (int c = 0; c < clients; c++) {
            System.arraycopy(lat[c], 0, all, k, latCount[c]);
            k += latCount[c];
        }
        Arrays.sort(all);
        System.out.printf(java.util.Locale.ROOT, "RESULT phase=%s clients=%d seconds=%.1f requests=%d events=%d rate=%.0f"
                        + " first_time_pct=%.2f retried_503=%d other_failures=%d p50_ms=%.1f p99_ms=%.1f%n",
                phase, clients, elapsed, totalRequests, events, events / elapsed,
                totalRequests == 0 ? 0 : 100.0 * totalFirst / totalRequests, total503, totalOther,
                all.length == 0 ? 0 : all[all.length / 2] / 1e6, all.length == 0 ? 0 : all[(int) (all.length * 0.99)] / 1e6);

        // the acknowledged event_ids, for the loss check
        try (Connection conn = DriverManager.getConnection(jdbc, "postgres", "")) {
            try (var st = conn.createStatement()) {
                st.execute("CREATE TABLE IF NOT EXISTS public.serve_bench_acked (phase text NOT NULL, event_id uuid NOT NULL)");
            }
            var copy = conn.unwrap(PGConnection.class).getCopyAPI();
            for (int c = 0; c < clients; c++) {
                var text = new StringBuilder();
                for (int i = 0; i < ackedCount[c]; i += 2) {
                    text.append(phase).append('\t').append(new UUID(acked[c][i], acked[c][i + 1])).append('\n');
                    if (text.length() > (1 << 20)) {
                        copy.copyIn("COPY public.serve_bench_acked FROM STDIN", new java.io.StringReader(text.toString()));
                        text.setLength(0);
                    }
                }
                copy.copyIn("COPY public.serve_bench_acked FROM STDIN", new java.io.StringReader(text.toString()));
            }
        }
    }

    /** 500 fresh events as in batch(), JSON only; their ids into ids (most, least significant bits). */
    static String jsonBatch(long[] ids) {
        var rnd = ThreadLocalRandom.current();
        var json = new StringBuilder(160 * 1024).append('[');
        Instant now = Instant.now();
        for (int i = 0; i < BATCH; i++) {
            UUID uuid = new UUID((rnd.nextLong() & ~0xF000L) | 0x4000L, (rnd.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L);
            ids[2 * i] = uuid.getMostSignificantBits();
            ids[2 * i + 1] = uuid.getLeastSignificantBits();
            int person = rnd.nextInt(200_000);
            json.append(i == 0 ? "" : ",").append("{\"event_id\":\"").append(uuid).append("\",\"type\":\"event_")
                    .append(1 + rnd.nextInt(30)).append("\",\"user_id\":\"user-").append(person)
                    .append("\",\"account_id\":\"acct-").append(person % 2000)
                    .append("\",\"timestamp\":\"").append(now.minusSeconds(rnd.nextInt(86_400)))
                    .append("\",\"properties\":{\"plan\":\"pro\",\"path\":\"/app/reports/").append(rnd.nextInt(1000))
                    .append("\",\"value\":").append(rnd.nextInt(1000)).append(",\"campaign\":\"campaign_").append(rnd.nextInt(50))
                    .append("_2026\",\"referrer\":\"newsletter\"},\"context\":{\"country\":\"DE\",\"city\":\"city-")
                    .append(person % 300).append("\",\"locale\":\"en-US\"}}");
        }
        return json.append(']').toString();
    }

    static int post(HttpClient http, String url, String key, String json) throws Exception {
        var response = http.send(HttpRequest.newBuilder(URI.create(url + "/v1/events"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .timeout(java.time.Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.discarding());
        return response.statusCode();
    }

    /** 500 events like the shared data set's: 3-6 properties of about 150 bytes, a context. */
    static Batch batch() {
        var rnd = ThreadLocalRandom.current();
        var json = new StringBuilder("[");
        var copy = new StringBuilder();
        String now = Instant.now().toString();
        for (int i = 0; i < BATCH; i++) {
            String id = UUID.randomUUID().toString();
            int person = rnd.nextInt(200_000);
            String type = "event_" + (1 + rnd.nextInt(30));
            String account = "acct-" + (person % 2000);
            String time = Instant.now().minusSeconds(rnd.nextInt(86_400)).toString();
            String props = "{\"plan\":\"pro\",\"path\":\"/app/reports/" + rnd.nextInt(1000) + "\",\"value\":" + rnd.nextInt(1000)
                    + ",\"campaign\":\"campaign_" + rnd.nextInt(50) + "_2026\",\"referrer\":\"newsletter\"}";
            String context = "{\"country\":\"DE\",\"city\":\"city-" + (person % 300) + "\",\"locale\":\"en-US\"}";
            json.append(i == 0 ? "" : ",").append("{\"event_id\":\"").append(id).append("\",\"type\":\"").append(type)
                    .append("\",\"user_id\":\"user-").append(person).append("\",\"account_id\":\"").append(account)
                    .append("\",\"timestamp\":\"").append(time).append("\",\"properties\":").append(props)
                    .append(",\"context\":").append(context).append('}');
            copy.append(id).append('\t').append(type).append('\t').append(account).append("\tuser-").append(person)
                    .append("\t\\N\t").append(time).append('\t').append(now).append('\t').append(props).append('\t')
                    .append(context).append("\tbench\n");
        }
        return new Batch(json.append(']').toString(), copy.toString());
    }
}
