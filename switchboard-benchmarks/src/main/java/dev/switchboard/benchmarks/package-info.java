/** JMH microbenchmarks of Switchboard's hot paths; run from target/benchmarks.jar (see the module README). */
package dev.switchboard.benchmarks;
