package dev.switchboard.switching;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** The in-process switch against the switch contract. */
class LocalSwitchContractTest extends SwitchContractTest {
    private LocalSwitch localSwitch;

    @BeforeEach
    void open() {
        localSwitch = new LocalSwitch();
    }

    @AfterEach
    void close() {
        localSwitch.close();
    }

    @Override
    protected Switch api() {
        return localSwitch;
    }

    @Override
    protected Switch backend() {
        return localSwitch;
    }

    @Override
    protected String shard() {
        return "local";
    }
}
