import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the CPU went, from a JFR recording (bench/profile.sh): the execution samples taken after
 * an instant, as shares per thread kind, per method on top of the stack (self) and per method
 * anywhere on it (inclusive). Run as a single-file program: java bench/JfrSummary.java FILE [SINCE]
 */
public class JfrSummary {

    public static void main(String[] args) throws Exception {
        Instant since = args.length > 1 ? Instant.parse(args[1]) : Instant.MIN;
        Map<String, Integer> threads = new HashMap<>();
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> inclusive = new HashMap<>();
        int samples = 0;
        for (RecordedEvent event : RecordingFile.readAllEvents(Path.of(args[0]))) {
            if (!event.getEventType().getName().equals("jdk.ExecutionSample")
                    || event.getStartTime().isBefore(since)
                    || event.getStackTrace() == null) {
                continue;
            }
            samples++;
            String thread = event.getThread("sampledThread") == null
                    ? "?"
                    : event.getThread("sampledThread").getJavaName();
            threads.merge(thread == null ? "?" : thread.replaceAll("\\d+", "#"), 1, Integer::sum);
            List<RecordedFrame> frames = event.getStackTrace().getFrames();
            if (!frames.isEmpty()) {
                self.merge(name(frames.get(0)), 1, Integer::sum);
            }
            Set<String> seen = new HashSet<>();
            for (RecordedFrame frame : frames) {
                if (seen.add(name(frame))) {
                    inclusive.merge(name(frame), 1, Integer::sum);
                }
            }
        }
        System.out.printf("%d execution samples since %s%n", samples, args.length > 1 ? args[1] : "the start");
        print("threads", threads, samples, 10);
        print("self (method on top of the stack)", self, samples, 30);
        print("inclusive (method anywhere on the stack)", inclusive, samples, 80);
    }

    private static String name(RecordedFrame frame) {
        // lambdas get a new class name in every run: one name for all of them
        String type = frame.getMethod().getType().getName().replaceAll("\\$\\$Lambda\\$.*", "\\$\\$Lambda");
        return type + "." + frame.getMethod().getName();
    }

    private static void print(String title, Map<String, Integer> counts, int samples, int limit) {
        System.out.printf("%n== %s%n", title);
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .limit(limit)
                .forEach(e -> System.out.printf("%6.1f %%  %s%n", e.getValue() * 100.0 / samples, e.getKey()));
    }
}
