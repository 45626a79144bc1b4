package dev.switchboard.benchmarks;

import dev.switchboard.core.session.ReadMachine;
import dev.switchboard.core.session.Transition;
import dev.switchboard.core.session.WriteMachine;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One full protocol round of each session state machine, as the backend and the SDK's mirror run it per request:
 * write, commit, published (write session) and read, fetched, ack (read session).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class StateMachineBenchmark {
    private WriteMachine.State writeState = WriteMachine.initial(0, 16);
    private long writeSeq;
    private ReadMachine.State readState = ReadMachine.initial();
    private long readSeq;

    @Benchmark
    public WriteMachine.State writeCommitPublished() {
        long seq = ++writeSeq;
        Transition<WriteMachine.State, WriteMachine.Effect> staged =
                WriteMachine.apply(writeState, new WriteMachine.Write(seq));
        Transition<WriteMachine.State, WriteMachine.Effect> publishing =
                WriteMachine.apply(staged.state(), new WriteMachine.Commit(seq));
        writeState = WriteMachine.apply(publishing.state(), new WriteMachine.Published(seq))
                .state();
        return writeState;
    }

    @Benchmark
    public ReadMachine.State readFetchedAck() {
        long seq = ++readSeq;
        Transition<ReadMachine.State, ReadMachine.Effect> fetch =
                ReadMachine.apply(readState, new ReadMachine.Read(seq));
        Transition<ReadMachine.State, ReadMachine.Effect> delivered =
                ReadMachine.apply(fetch.state(), new ReadMachine.Fetched(seq));
        readState =
                ReadMachine.apply(delivered.state(), new ReadMachine.Ack(seq)).state();
        return readState;
    }
}
