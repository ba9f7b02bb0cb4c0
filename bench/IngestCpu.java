// CPU per event of the ingest service's own work on a request body, in one thread, no HTTP and
// no PostgreSQL: read and check the 500-event batch (the same shape as IngestBench's), then build
// the COPY rows as the UTF-8 bytes sent. The figure is printed beside the baseline in the same
// run: the tree-based reading (EventBatch.parseTree, which the service still uses for any batch
// the streaming pass gives up on). Run through bench/ingest-cpu.sh.
//
//   java -cp "ingest/target/classes:ingest/target/quarkus-app/lib/main/*" bench/IngestCpu.java [seconds per round]

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spectrum.ingest.EventBatch;
import dev.spectrum.ingest.EventValidator;
import dev.spectrum.ingest.IncomingEvent;
import dev.spectrum.ingest.JsonMapper;
import dev.spectrum.ingest.RawEventWriter;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

public class IngestCpu {

    static final int BATCH = 500;

    interface Reader {
        List<IncomingEvent> read(byte[] body) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        ObjectMapper mapper = JsonMapper.strict();
        EventValidator validator = new EventValidator(mapper, Clock.systemUTC());
        Method tree = EventBatch.class.getDeclaredMethod("parseTree", byte[].class, ObjectMapper.class, EventValidator.class);
        tree.setAccessible(true);
        @SuppressWarnings("unchecked")
        Reader treeReader = body -> (List<IncomingEvent>) tree.invoke(null, body, mapper, validator);
        Reader streaming = body -> EventBatch.parse(body, mapper, validator);

        List<byte[]> bodies = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            bodies.add(batch().getBytes(StandardCharsets.UTF_8));
        }
        System.out.printf("machine: %d cores, Java %s; one thread; %d-event batches of %d bytes per event%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), BATCH,
                bodies.get(0).length / BATCH);
        // the same events either way
        if (!withoutIds(treeReader.read(bodies.get(0))).equals(withoutIds(streaming.read(bodies.get(0))))) {
            throw new IllegalStateException("the two readings differ");
        }
        // alternate, three rounds each, after a warm-up of both; the best round of each counts
        double[] best = {Double.MAX_VALUE, Double.MAX_VALUE};
        Reader[] readers = {treeReader, streaming};
        round(treeReader, bodies, 2);
        round(streaming, bodies, 2);
        for (int r = 0; r < 3; r++) {
            for (int k = 0; k < 2; k++) {
                best[k] = Math.min(best[k], round(readers[k], bodies, seconds));
            }
        }
        System.out.printf("%-52s %6.2f µs/event%n", "baseline: tree reading + COPY rows", best[0]);
        System.out.printf("%-52s %6.2f µs/event   %.0f%% of the baseline's CPU%n", "streaming reading + COPY rows",
                best[1], 100 * best[1] / best[0]);
    }

    /** µs of CPU per event over a timed round (this thread's CPU time). */
    static double round(Reader reader, List<byte[]> bodies, double seconds) throws Exception {
        var bean = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpu0 = bean.getCurrentThreadCpuTime();
        long end = System.nanoTime() + (long) (seconds * 1e9);
        long events = 0;
        long sink = 0;
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        while (System.nanoTime() < end) {
            for (byte[] body : bodies) {
                List<IncomingEvent> read = reader.read(body);
                var rows = RawEventWriter.copyData(read, "bench", now);
                sink += rows.length();
                events += read.size();
            }
        }
        if (sink == 0) {
            throw new IllegalStateException();
        }
        return (bean.getCurrentThreadCpuTime() - cpu0) / 1e3 / events;
    }

    static List<IncomingEvent> withoutIds(List<IncomingEvent> events) {
        return events.stream().map(e -> new IncomingEvent(new UUID(0, 0), e.type(), e.accountId(), e.userId(),
                e.anonymousId(), e.occurredAt(), e.propertiesJson(), e.contextJson())).toList();
    }

    /** IngestBench's batch shape. */
    static String batch() {
        var rnd = ThreadLocalRandom.current();
        var json = new StringBuilder("[");
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
        }
        return json.append(']').toString();
    }
}
