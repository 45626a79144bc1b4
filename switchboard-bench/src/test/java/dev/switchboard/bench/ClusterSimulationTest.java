package dev.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.withinPercentage;

import dev.switchboard.bench.ClusterSimulation.Model;
import dev.switchboard.bench.ClusterSimulation.Result;
import org.junit.jupiter.api.Test;

/** The discrete-event model against what queueing theory says for cases simple enough to work out by hand. */
class ClusterSimulationTest {

    private static Model model(int backends, int sessions, double brokerSeconds, double backendSeconds) {
        return new Model(
                1, 1, backends, Model.evenly(sessions, 1), 1, 0.0002, brokerSeconds, backendSeconds, 4, 1, 1, 0);
    }

    @Test
    void oneSessionAloneTakesTheSumOfItsVisits() {
        // API 0.2 ms + broker 0.1 ms + backend 1 ms: one request at a time, nothing waits
        Result result = new ClusterSimulation(model(1, 1, 0.0001, 0.001), true, 1).run(1, 10);

        assertThat(result.meanResponseSeconds()).isCloseTo(0.0013, within(1e-9));
        assertThat(result.requestsPerSecond()).isCloseTo(1 / 0.0013, withinPercentage(0.1));
    }

    @Test
    void manySessionsRunTheBottleneckFullAndNoFaster() {
        // 1 backend at 1 ms per request: at most 1000 requests/s however many sessions wait
        Result result = new ClusterSimulation(model(1, 50, 0.0001, 0.001), false, 7).run(5, 60);

        assertThat(result.requestsPerSecond()).isCloseTo(1000, withinPercentage(2));
        assertThat(result.backendUtilization()).isCloseTo(1.0, within(0.02));
        assertThat(result.bottleneck()).isEqualTo("backend");
        // Little's law: 50 sessions / 1000 per second = 50 ms each
        assertThat(result.meanResponseSeconds()).isCloseTo(0.05, withinPercentage(3));
    }

    @Test
    void addingBackendsScalesUntilTheBrokerIsTheBottleneck() {
        double one = new ClusterSimulation(model(1, 64, 0.0001, 0.001), false, 3)
                .run(5, 30)
                .requestsPerSecond();
        double four = new ClusterSimulation(model(4, 64, 0.0001, 0.001), false, 3)
                .run(5, 30)
                .requestsPerSecond();
        // broker 0.1 ms a request: 10,000/s; 4 backends give 4,000/s, well under it
        assertThat(four / (4 * one)).isCloseTo(1.0, within(0.05));

        // a broker at 0.5 ms a request caps the shard at 2,000/s whatever the backends
        Result brokerBound = new ClusterSimulation(model(4, 64, 0.0005, 0.001), false, 3).run(5, 30);
        assertThat(brokerBound.requestsPerSecond()).isCloseTo(2000, withinPercentage(3));
        assertThat(brokerBound.bottleneck()).isEqualTo("broker");
    }

    @Test
    void aCappedNodeIsThatMuchSlowerAndBackgroundWorkTakesBrokerCapacity() {
        Model quarterCore = new Model(1, 1, 1, Model.evenly(20, 1), 1, 0, 0.0001, 0.001, 4, 1, 0.25, 0);
        assertThat(new ClusterSimulation(quarterCore, false, 5).run(5, 60).requestsPerSecond())
                .isCloseTo(250, withinPercentage(3));

        // half the broker taken by presence beats: a 0.5 ms broker serves 1,000/s instead of 2,000/s
        Model busyBroker = new Model(1, 1, 8, Model.evenly(64, 1), 1, 0, 0.0005, 0.001, 4, 1, 1, 0.5);
        Result result = new ClusterSimulation(busyBroker, false, 5).run(5, 30);
        assertThat(result.requestsPerSecond()).isCloseTo(1000, withinPercentage(3));
        assertThat(result.brokerUtilization()).isCloseTo(1.0, within(0.02));
    }
}
