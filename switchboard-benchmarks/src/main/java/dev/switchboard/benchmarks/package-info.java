/** JMH microbenchmarks of Switchboard's hot paths; run from target/benchmarks.jar (see the module README). */
@NullMarked
package dev.switchboard.benchmarks;

import org.jspecify.annotations.NullMarked;
