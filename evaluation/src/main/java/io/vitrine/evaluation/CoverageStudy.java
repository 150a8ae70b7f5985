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
 * by a Thompson-sampling logging policy, at several log sizes, many times over, in a world of frequent clicks
 * (about 20%) and in one of sparse clicks ({@value #SPARSE_RATE}); for four target policies, one of them
 * deterministic, how often each estimator's interval covers the true value, and how far its estimate falls from
 * it.
 */
public final class CoverageStudy {

    /** What the study runs; {@code sparseSizes} are the log sizes of the sparse world (none: left out). */
    public record Settings(int repetitions, List<Integer> sizes, List<Integer> sparseSizes, int replicates,
                           double level, double clip, RewardModels.Kind rewardModel, double ridge,
                           int propensityDraws, double exploration, int truthContexts, long seed, int threads) {
        public Settings {
            sizes = List.copyOf(sizes);
            sparseSizes = List.copyOf(sparseSizes);
            if (repetitions < 1 || sizes.isEmpty() && sparseSizes.isEmpty() || threads < 1) {
                throw new IllegalArgumentException("repetitions, sizes and threads must be positive");
            }
        }

        /** The log sizes of a world. */
        List<Integer> sizes(String world) {
            return world.equals(DENSE) ? sizes : sparseSizes;
        }
    }

    /** One (world, logging policy, log size, target, estimator) cell over all repetitions. */
    public record Cell(String world, String logging, int size, String target, String estimator, double truth,
                       int repetitions, int valid, int covered, double meanError, double rmse, double meanWidth) {
        public double coverage() {
            return valid == 0 ? Double.NaN : (double) covered / repetitions;
        }
    }

    public static final List<String> LOGGING = List.of("uniform", "Thompson sampling");
    static final String DENSE = "clicks about 20%";
    static final String SPARSE = "sparse clicks (0.5%)";
    static final List<String> WORLDS = List.of(DENSE, SPARSE);
    static final double SPARSE_RATE = 0.005;
    static final int ACTIONS = 5;
    static final int DIMENSION = 4;

    private CoverageStudy() {
    }

    static LinearClickWorld world(String name, long seed) {
        return new LinearClickWorld(ACTIONS, DIMENSION, seed, name.equals(DENSE) ? LinearClickWorld.BASE : SPARSE_RATE);
    }

    /** The true values of the target policies in a world. */
    public static Map<String, Double> truths(Settings s, String worldName) {
        LinearClickWorld world = world(worldName, s.seed());
        Map<String, Double> truths = new LinkedHashMap<>();
        for (TargetPolicy target : targets(world, s.seed())) {
            truths.put(target.name(), world.value(target, s.truthContexts(), s.seed() + 99));
        }
        return truths;
    }

    static List<TargetPolicy> targets(LinearClickWorld world, long seed) {
        return List.of(TargetPolicies.uniform(), StudyPolicies.noisyGreedy(world, 0.1, 0.03, seed + 7),
                StudyPolicies.softmax(world, 0.05), StudyPolicies.noisyGreedy(world, 0, 0.03, seed + 7));
    }

    /** Runs every repetition; {@code progress} hears the number of logs evaluated so far. */
    public static List<Cell> run(Settings s, IntConsumer progress) throws Exception {
        Evaluator evaluator = new Evaluator(Evaluator.standardEstimators(s.clip()),
                new Bootstrap(s.replicates(), s.level()), s.clip(), s.rewardModel(), s.ridge());
        List<String> estimators = evaluator.estimators().stream().map(Estimator::name).toList();

        // One task per (world, logging, size, repetition): a fresh log, every target and estimator on it.
        List<Job> jobs = new ArrayList<>();
        for (String world : WORLDS) {
            for (String logging : LOGGING) {
                for (int size : s.sizes(world)) {
                    for (int r = 0; r < s.repetitions(); r++) {
                        jobs.add(new Job(world, logging, size, r));
                    }
                }
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(s.threads());
        AtomicInteger done = new AtomicInteger();
        List<Future<List<Evaluator.PolicyReport>>> futures = new ArrayList<>();
        try {
            for (Job job : jobs) {
                futures.add(pool.submit(() -> {
                    LinearClickWorld world = world(job.world(), s.seed());
                    long seed = s.seed() * 1_000_003L + job.size() * 7919L + job.repetition() * 31L
                            + job.logging().length() + (job.world().equals(DENSE) ? 0 : 17);
                    Policy logging = job.logging().equals("uniform") ? Policies.uniform(seed)
                            : Policies.linearThompson(NigPrior.DEFAULT, FeatureMode.PER_ARM, seed);
                    List<LoggedRound> log = StudyPolicies.log(world, logging, job.size(),
                            job.logging().equals("uniform") ? 0 : s.propensityDraws(),
                            job.logging().equals("uniform") ? 0 : s.exploration(), seed + 1);
                    RewardModels models = evaluator.fit(log);
                    List<Evaluator.PolicyReport> reports = new ArrayList<>();
                    for (TargetPolicy target : targets(world, s.seed())) {
                        reports.add(evaluator.evaluate(target.name(),
                                Evaluator.score(log, target, seed + 2, models), seed + 2));
                    }
                    progress.accept(done.incrementAndGet());
                    return reports;
                }));
            }
            List<Cell> cells = new ArrayList<>();
            for (String world : WORLDS) {
                Map<String, Double> truths = s.sizes(world).isEmpty() ? Map.of() : truths(s, world);
                for (String logging : LOGGING) {
                    for (int size : s.sizes(world)) {
                        for (String target : truths.keySet()) {
                            for (String estimator : estimators) {
                                cells.add(cell(jobs, futures, world, logging, size, target, estimator,
                                        truths.get(target), s.repetitions()));
                            }
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
    private record Job(String world, String logging, int size, int repetition) {
    }

    private static Cell cell(List<Job> jobs, List<Future<List<Evaluator.PolicyReport>>> futures, String world,
                             String logging, int size, String target, String estimator, double truth,
                             int repetitions) throws Exception {
        int valid = 0;
        int covered = 0;
        double error = 0;
        double squares = 0;
        double width = 0;
        for (int i = 0; i < jobs.size(); i++) {
            Job job = jobs.get(i);
            if (!job.world().equals(world) || !job.logging().equals(logging) || job.size() != size) {
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
        return new Cell(world, logging, size, target, estimator, truth, repetitions, valid, covered,
                valid > 0 ? error / valid : Double.NaN, valid > 0 ? Math.sqrt(squares / valid) : Double.NaN,
                valid > 0 ? width / valid : Double.NaN);
    }
}
