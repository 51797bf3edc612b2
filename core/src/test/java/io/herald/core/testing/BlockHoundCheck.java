package io.herald.core.testing;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import reactor.blockhound.BlockingOperationError;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.resources.LoopResources;

/**
 * Proves a module's tests run under BlockHound ({@link BlockHoundInstaller}, found on the test
 * classpath): blocking on a Reactor scheduler or a server event loop fails. Each module extends it
 * once.
 */
public abstract class BlockHoundCheck {

    @Test
    public void blockingOnAParallelSchedulerThreadFails() {
        Mono<Integer> blocking = Mono.fromCallable(() -> {
            Thread.sleep(1);
            return 1;
        }).subscribeOn(Schedulers.parallel());

        assertThatThrownBy(() -> blocking.block(Duration.ofSeconds(10)))
                .hasCauseInstanceOf(BlockingOperationError.class);
    }

    @Test
    public void blockingOnAReactorNettyEventLoopFails() {
        LoopResources loops = LoopResources.create("blockhound-check", 1, true);
        try {
            Future<?> task = loops.onServer(false).next().submit(() -> {
                Thread.sleep(1);
                return null;
            });
            assertThatThrownBy(() -> task.get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(BlockingOperationError.class);
        }
        finally {
            loops.disposeLater().block(Duration.ofSeconds(10));
        }
    }
}
