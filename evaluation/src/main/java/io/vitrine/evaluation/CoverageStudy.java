package io.vitrine.evaluation;

import io.vitrine.core.bandit.Policies;
import io.vitrine.core.bandit.Policy;
import io.vitrine.core.bandit.FeatureMode;
import io.vitrine.core.posterior.NigPrior;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Checks the estimators where the truth is known: logs of a {@link LinearClickWorld} written by a uniform and
 * by a Thompson-sampling logging policy, at several log sizes, many times over; for three target policies,
 * how often each estimator's interval covers the true value, and how far its estimate falls from it.
 */
public final class CoverageStudy {

    /** What the study runs. */
    public record Settings(int repetitions, List<Integer> sizes, int replicates, double level, double clip,
                           double ridge, int propensityDraws, double exploration, int truthContexts, long seed, int threads) {
        public Settings {
            sizes = List.copyOf(sizes);
            if (repetitions < 1 || sizes.isEmpty() || threads < 1) {
                throw new IllegalArgumentException("repetitions, sizes and threads must be positive");
            }
        }
    }

    /** One (logging policy, log size, target, estimator) cell over all repetitions. */
    public record Cell(String logging, int size, String target, String estimator, double truth, int repetitions,
                       int valid, int covered, double meanError, double rmse, double meanWidth) {
        public double coverage() {
            return valid == 0 ? Double.NaN : (double) covered / repetitions;
        }
    }

    public static final List<String> LOGGING = List.of("uniform", "Thompson sampling");
    static final int ACTIONS = 5;
    static final int DIMENSION = 4;

    private CoverageStudy() {
    }

    /** The true values of the target policies. */
    public static Map<String, Double> truths(Settings s) {
        LinearClickWorld world = new LinearClickWorld(ACTIONS, DIMENSION, s.seed());
        Map<String, Double> truths = new LinkedHashMap<>();
        for (TargetPolicy target : targets(world, s.seed())) {
            truths.put(target.name(), world.value(target, s.truthContexts(), s.seed() + 99));
        }
        return truths;
    }

    static List<TargetPolicy> targets(LinearClickWorld world, long seed) {
        return List.of(TargetPolicies.uniform(), StudyPolicies.noisyGreedy(world, 0.1, 0.03, seed + 7),
                StudyPolicies.softmax(world, 0.05));
    }

    /** Runs every repetition; {@code progress} hears the number of logs evaluated so far. */
    public static List<Cell> run(Settings s, IntConsumer progress) throws Exception {
        LinearClickWorld world = new LinearClickWorld(ACTIONS, DIMENSION, s.seed());
        List<TargetPolicy> targets = targets(world, s.seed());
        Map<String, Double> truths = truths(s);
        Evaluator evaluator = new Evaluator(Evaluator.standardEstimators(s.clip()),
                new Bootstrap(s.replicates(), s.level()), s.clip(), s.ridge());
        List<String> estimators = evaluator.estimators().stream().map(Estimator::name).toList();

        // One task per (logging, size, repetition): a fresh log, every target and estimator on it.
        List<Job> jobs = new ArrayList<>();
        for (String logging : LOGGING) {
            for (int size : s.sizes()) {
                for (int r = 0; r < s.repetitions(); r++) {
                    jobs.add(new Job(logging, size, r));
                }
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(s.threads());
        AtomicInteger done = new AtomicInteger();
        List<Future<List<Evaluator.PolicyReport>>> futures = new ArrayList<>();
        try {
            for (Job job : jobs) {
                futures.add(pool.submit(() -> {
                    long seed = s.seed() * 1_000_003L + job.size() * 7919L + job.repetition() * 31L
                            + job.logging().length();
                    Policy logging = job.logging().equals("uniform") ? Policies.uniform(seed)
                            : Policies.linearThompson(NigPrior.DEFAULT, FeatureMode.PER_ARM, seed);
                    List<LoggedRound> log = StudyPolicies.log(world, logging, job.size(),
                            job.logging().equals("uniform") ? 0 : s.propensityDraws(),
                            job.logging().equals("uniform") ? 0 : s.exploration(), seed + 1);
                    List<Evaluator.PolicyReport> reports = new ArrayList<>();
                    for (TargetPolicy target : targets) {
                        reports.add(evaluator.evaluate(log, target, seed + 2));
                    }
                    progress.accept(done.incrementAndGet());
                    return reports;
                }));
            }
            List<Cell> cells = new ArrayList<>();
            for (String logging : LOGGING) {
                for (int size : s.sizes()) {
                    for (TargetPolicy target : targets) {
                        for (String estimator : estimators) {
                            cells.add(cell(jobs, futures, logging, size, target.name(), estimator,
                                    truths.get(target.name()), s.repetitions()));
                        }
                    }
                }
            }
            return cells;
        } finally {
            pool.shutdownNow();
        }
    }

    /** One log to write and evaluate. */
    private record Job(String logging, int size, int repetition) {
    }

    private static Cell cell(List<Job> jobs, List<Future<List<Evaluator.PolicyReport>>> futures,
                             String logging, int size, String target, String estimator, double truth,
                             int repetitions) throws Exception {
        int valid = 0;
        int covered = 0;
        double error = 0;
        double squares = 0;
        double width = 0;
        for (int i = 0; i < jobs.size(); i++) {
            Job job = jobs.get(i);
            if (!job.logging().equals(logging) || job.size() != size) {
                continue;
            }
            for (Evaluator.PolicyReport report : futures.get(i).get()) {
                if (!report.policy().equals(target)) {
                    continue;
                }
                for (Evaluator.Estimate e : report.estimates()) {
                    if (!e.estimator().equals(estimator) || !Double.isFinite(e.value())) {
                        continue;
                    }
                    valid++;
                    error += e.value() - truth;
                    squares += (e.value() - truth) * (e.value() - truth);
                    if (Double.isFinite(e.low())) {
                        width += e.high() - e.low();
                        if (e.low() <= truth && truth <= e.high()) {
                            covered++;
                        }
                    }
                }
            }
        }
        return new Cell(logging, size, target, estimator, truth, repetitions, valid, covered,
                valid > 0 ? error / valid : Double.NaN, valid > 0 ? Math.sqrt(squares / valid) : Double.NaN,
                valid > 0 ? width / valid : Double.NaN);
    }
}
