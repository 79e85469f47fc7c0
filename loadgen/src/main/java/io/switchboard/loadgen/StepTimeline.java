package io.switchboard.loadgen;

import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/** Merges the workers' per-second histograms of one step into its timeline ({@link SecondFigures}). Stateless. */
final class StepTimeline {
    private StepTimeline() {
    }

    /**
     * @param workers per worker, its encoded histogram per second of the step ("" for a second without deliveries)
     * @param step    the step, which says where its measurement window starts
     */
    static List<SecondFigures> merge(List<List<String>> workers, StepSpec step) {
        List<Histogram> seconds = new ArrayList<>();
        for (List<String> encoded : workers) {
            for (int i = 0; i < encoded.size(); i++) {
                while (seconds.size() <= i) {
                    seconds.add(new Histogram(3));
                }
                if (!encoded.get(i).isEmpty()) {
                    seconds.get(i).add(StepRecorder.decode(encoded.get(i)));
                }
            }
        }
        long windowStart = step.secondOf(step.warmupEnd());
        List<SecondFigures> timeline = new ArrayList<>(seconds.size());
        for (int i = 0; i < seconds.size(); i++) {
            Histogram h = seconds.get(i);
            boolean empty = h.getTotalCount() == 0;
            timeline.add(new SecondFigures(i, i >= windowStart, h.getTotalCount(),
                    empty ? Double.NaN : h.getValueAtPercentile(50) / 1000.0,
                    empty ? Double.NaN : h.getValueAtPercentile(99) / 1000.0,
                    empty ? Double.NaN : h.getMaxValue() / 1000.0));
        }
        return timeline;
    }
}
