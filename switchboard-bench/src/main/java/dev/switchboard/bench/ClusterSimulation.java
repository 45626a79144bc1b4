package dev.switchboard.bench;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * A small discrete-event model of a cluster, for the scale model of docs/scaling.md: sessions send requests one
 * after another (a closed loop, {@code window} requests outstanding per session), each request visits its API
 * node, its shard's broker, its backend node, the broker again (the answer) and the API node again, and each visit
 * costs the CPU time measured on the local cluster. A station of {@code cores} serves {@code ceil(cores)} visits at
 * once, each slowed to {@code cores / ceil(cores)} of a core (a node capped at a quarter core serves one visit at a
 * time, four times slower). A broker also carries
 * background work (presence beats) as a share of its capacity taken away. The result is throughput, each station
 * kind's busiest utilization and the mean response time: where arithmetic gives the bottleneck, this also gives
 * what queueing does to latency on the way there, and the effect of uneven spread (sessions per shard as hashing
 * puts them).
 *
 * <p>Implementation notes: one event queue ordered by time (ties by sequence number, so runs are reproducible);
 * service times are exponential around the mean from a seeded random, or exactly the mean with {@code
 * deterministic}. Single-threaded, no shared state.
 */
public final class ClusterSimulation {

    /**
     * What is simulated.
     *
     * @param apiNodes API nodes; session {@code i} uses node {@code i mod apiNodes}
     * @param shards shards, one broker each
     * @param backendsPerShard backend nodes per shard; sessions of a shard are spread over them round robin
     * @param sessionShards the shard of each session (its length is the session count)
     * @param window requests outstanding per session
     * @param apiSeconds API CPU seconds per request (both visits together)
     * @param brokerSeconds broker CPU seconds per request (request and answer together)
     * @param backendSeconds backend CPU seconds per request
     * @param apiCores cores per API node
     * @param brokerCores cores per broker
     * @param backendCores cores per backend node
     * @param brokerBackground share (0 to 1) of each broker's capacity taken by other work (presence beats)
     */
    public record Model(
            int apiNodes,
            int shards,
            int backendsPerShard,
            int[] sessionShards,
            int window,
            double apiSeconds,
            double brokerSeconds,
            double backendSeconds,
            double apiCores,
            double brokerCores,
            double backendCores,
            double brokerBackground) {
        public Model {
            Objects.requireNonNull(sessionShards, "sessionShards");
            if (apiNodes < 1 || shards < 1 || backendsPerShard < 1 || sessionShards.length < 1 || window < 1) {
                throw new IllegalArgumentException("every count must be at least 1");
            }
            if (brokerBackground < 0 || brokerBackground >= 1) {
                throw new IllegalArgumentException("brokerBackground must be in [0, 1), got " + brokerBackground);
            }
            for (int shard : sessionShards) {
                if (shard < 0 || shard >= shards) {
                    throw new IllegalArgumentException("a session's shard must be below " + shards);
                }
            }
        }

        /** {@code sessions} sessions dealt to the shards round robin (an even spread). */
        public static int[] evenly(int sessions, int shards) {
            int[] assignment = new int[sessions];
            for (int i = 0; i < sessions; i++) {
                assignment[i] = i % shards;
            }
            return assignment;
        }
    }

    /**
     * What came out.
     *
     * @param requestsPerSecond completed requests per simulated second
     * @param meanResponseSeconds mean time from sending a request to its answer
     * @param apiUtilization the busiest API node's busy share
     * @param brokerUtilization the busiest broker's busy share (its background work included)
     * @param backendUtilization the busiest backend node's busy share
     */
    public record Result(
            double requestsPerSecond,
            double meanResponseSeconds,
            double apiUtilization,
            double brokerUtilization,
            double backendUtilization) {

        /** Which kind of station was busiest: "api", "broker" or "backend". */
        public String bottleneck() {
            if (brokerUtilization >= apiUtilization && brokerUtilization >= backendUtilization) {
                return "broker";
            }
            return backendUtilization >= apiUtilization ? "backend" : "api";
        }
    }

    /** One queue with its servers; a visit takes {@code mean x factor} seconds. */
    private static final class Station {
        final int servers;
        final double factor;
        final double background;
        final ArrayDeque<Visit> waiting = new ArrayDeque<>();
        int busy;
        double busyTime;

        Station(double cores, double background) {
            // capacity kept exact: ceil(cores) servers, each slowed to cores/servers of a core
            this.servers = (int) Math.ceil(cores);
            this.factor = servers / cores;
            this.background = background;
        }

        /** Busy share of the capacity over {@code time}, the background work included. */
        double utilization(double time) {
            return background + (1 - background) * busyTime / (servers * time);
        }
    }

    /** A request at one step of its route. */
    private record Visit(int session, int step, double sentAt) {}

    private record Event(double time, long sequence, Station station, Visit visit) {}

    private final Model model;
    private final boolean deterministic;
    private final SplittableRandom random;
    private final List<Station> apis = new ArrayList<>();
    private final List<Station> brokers = new ArrayList<>();
    private final List<Station> backends = new ArrayList<>();
    private final PriorityQueue<Event> events = new PriorityQueue<>((a, b) ->
            a.time() != b.time() ? Double.compare(a.time(), b.time()) : Long.compare(a.sequence(), b.sequence()));
    private long sequence;
    private double now;
    private long completed;
    private double responseTotal;
    private boolean measuring;
    /** The backend of each session. */
    private final int[] backendOf;

    public ClusterSimulation(Model model, boolean deterministic, long seed) {
        this.model = model;
        this.deterministic = deterministic;
        this.random = new SplittableRandom(seed);
        for (int i = 0; i < model.apiNodes(); i++) {
            apis.add(new Station(model.apiCores(), 0));
        }
        for (int i = 0; i < model.shards(); i++) {
            // background work is capacity taken away: the rest serves requests at the same speed
            brokers.add(new Station(model.brokerCores() * (1 - model.brokerBackground()), model.brokerBackground()));
        }
        for (int i = 0; i < model.shards() * model.backendsPerShard(); i++) {
            backends.add(new Station(model.backendCores(), 0));
        }
        this.backendOf = backendsOfSessions(model);
    }

    /** Each session's backend: its shard's nodes in turn. */
    private static int[] backendsOfSessions(Model model) {
        int[] perShard = new int[model.shards()];
        int[] backendOf = new int[model.sessionShards().length];
        for (int session = 0; session < backendOf.length; session++) {
            int shard = model.sessionShards()[session];
            backendOf[session] = shard * model.backendsPerShard() + perShard[shard]++ % model.backendsPerShard();
        }
        return backendOf;
    }

    /** Runs {@code warmupSeconds} unmeasured, then {@code seconds} measured, of simulated time. */
    public Result run(double warmupSeconds, double seconds) {
        for (int session = 0; session < backendOf.length; session++) {
            for (int i = 0; i < model.window(); i++) {
                arrive(station(session, 0), new Visit(session, 0, 0));
            }
        }
        advanceTo(warmupSeconds);
        measuring = true;
        completed = 0;
        responseTotal = 0;
        for (Station station : all()) {
            station.busyTime = 0;
        }
        advanceTo(warmupSeconds + seconds);
        return new Result(
                completed / seconds,
                completed == 0 ? Double.NaN : responseTotal / completed,
                maxUtilization(apis, seconds),
                maxUtilization(brokers, seconds),
                maxUtilization(backends, seconds));
    }

    private List<Station> all() {
        List<Station> all = new ArrayList<>(apis);
        all.addAll(brokers);
        all.addAll(backends);
        return all;
    }

    private static double maxUtilization(List<Station> stations, double seconds) {
        return stations.stream().mapToDouble(s -> s.utilization(seconds)).max().orElse(0);
    }

    /** The route: API, broker, backend, broker, API. */
    private Station station(int session, int step) {
        return switch (step) {
            case 0, 4 -> apis.get(session % apis.size());
            case 1, 3 -> brokers.get(model.sessionShards()[session]);
            case 2 -> backends.get(backendOf[session]);
            default -> throw new IllegalStateException("no step " + step);
        };
    }

    /** Mean CPU seconds of one visit at a step (costs per request are split over the two visits). */
    private double cost(int step) {
        return switch (step) {
            case 0, 4 -> model.apiSeconds() / 2;
            case 1, 3 -> model.brokerSeconds() / 2;
            case 2 -> model.backendSeconds();
            default -> throw new IllegalStateException("no step " + step);
        };
    }

    private void arrive(Station station, Visit visit) {
        if (station.busy < station.servers) {
            start(station, visit);
        } else {
            station.waiting.add(visit);
        }
    }

    private void start(Station station, Visit visit) {
        station.busy++;
        double mean = cost(visit.step()) * station.factor;
        double service = deterministic ? mean : -mean * Math.log(1 - random.nextDouble());
        events.add(new Event(now + service, sequence++, station, visit));
        if (measuring) {
            station.busyTime += service;
        }
    }

    private void advanceTo(double end) {
        while (!events.isEmpty() && events.peek().time() <= end) {
            Event event = events.poll();
            now = event.time();
            Station station = event.station();
            station.busy--;
            if (!station.waiting.isEmpty()) {
                start(station, station.waiting.poll());
            }
            Visit visit = event.visit();
            if (visit.step() == 4) {
                if (measuring) {
                    completed++;
                    responseTotal += now - visit.sentAt();
                }
                arrive(station(visit.session(), 0), new Visit(visit.session(), 0, now));
            } else {
                int next = visit.step() + 1;
                arrive(station(visit.session(), next), new Visit(visit.session(), next, visit.sentAt()));
            }
        }
        now = end;
    }
}
