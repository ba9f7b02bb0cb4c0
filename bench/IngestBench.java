// Ingest benchmark (bars.md): 500-event batches from several concurrent clients to the running
// service, beside a raw COPY of the same events into staging.raw_events in 500-row transactions
// from the same number of clients, in the same run. Then the p50/p99 latency at half of the
// maximum HTTP rate. Run through bench/ingest.sh, which starts the service.
//
//   java -cp "cli/target/lib/*" bench/IngestBench.java URL KEY JDBC_URL [clients] [batches per client]

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
        String url = args[0];
        String key = args[1];
        String jdbc = args[2];
        int clients = args.length > 3 ? Integer.parseInt(args[3]) : 4;
        int batchesPerClient = args.length > 4 ? Integer.parseInt(args[4]) : 100;
        int total = clients * batchesPerClient;

        List<Batch> batches = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            batches.add(batch());
        }
        System.out.printf("machine: %d cores, Java %s; %d clients x %d batches of %d events%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), clients, batchesPerClient, BATCH);

        // warm up the service (JIT, pool) with a few batches that are not counted
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        for (int i = 0; i < 20; i++) {
            post(http, url, key, batch().json());
        }

        double copyRate = copyBaseline(jdbc, batches, clients);
        System.out.printf("%-34s %10.0f events/s%n", "raw COPY, 500-row transactions", copyRate);

        long[] latencies = new long[total];
        double httpRate = http(http, url, key, batches, clients, latencies, 0);
        Arrays.sort(latencies);
        System.out.printf("%-34s %10.0f events/s   %5.1f%% of COPY   p50 %5.1f ms   p99 %5.1f ms%n",
                "HTTP POST /v1/events, max rate", httpRate, 100 * httpRate / copyRate,
                latencies[total / 2] / 1e6, latencies[(int) (total * 0.99)] / 1e6);

        double target = httpRate / 2;
        long[] halfLatencies = new long[total];
        double halfRate = http(http, url, key, batches, clients, halfLatencies, target);
        Arrays.sort(halfLatencies);
        System.out.printf("%-34s %10.0f events/s                     p50 %5.1f ms   p99 %5.1f ms%n",
                "HTTP at half the max rate", halfRate, halfLatencies[total / 2] / 1e6, halfLatencies[(int) (total * 0.99)] / 1e6);
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

    static int post(HttpClient http, String url, String key, String json) throws Exception {
        var response = http.send(HttpRequest.newBuilder(URI.create(url + "/v1/events"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
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
