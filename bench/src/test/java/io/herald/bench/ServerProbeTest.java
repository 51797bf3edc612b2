package io.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading a server's CPU and RSS from /proc files. */
class ServerProbeTest {

    // pid, comm with a space and a parenthesis, state, then fields 4..; utime (14) = 1234, stime (15) = 56
    private static final String STAT = "4242 (web (x) 1) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 56 0 0 20 0 30 0 "
            + "1000 123456789 2000 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n";

    @Test
    void cpuTicksAreUtimePlusStimeCountedAfterTheCommandName() {
        assertThat(ServerProbe.cpuTicks(STAT)).isEqualTo(1234 + 56);
    }

    @Test
    void rssIsTheVmRssLine() {
        assertThat(ServerProbe.rssKib("Name:\tjava\nVmPeak:\t 999 kB\nVmRSS:\t  51200 kB\nThreads:\t30\n"))
                .isEqualTo(51200);
        assertThatThrownBy(() -> ServerProbe.rssKib("Name:\tjava\n")).hasMessageContaining("VmRSS");
    }

    @Test
    void sumsOverAllProcesses(@TempDir Path proc) throws Exception {
        for (int pid : List.of(10, 11)) {
            Files.createDirectories(proc.resolve(Integer.toString(pid)));
            Files.writeString(proc.resolve(pid + "/stat"), STAT);
            Files.writeString(proc.resolve(pid + "/status"), "VmRSS:\t100 kB\n");
        }
        ServerProbe probe = new ServerProbe(List.of(10, 11), proc);
        assertThat(probe.cpuSeconds()).isEqualTo(2 * 1290 / 100.0);
        assertThat(probe.rssKib()).isEqualTo(200);
    }

    @Test
    void aProcessThatIsGoneIsAClearError(@TempDir Path proc) {
        assertThatThrownBy(() -> new ServerProbe(List.of(99), proc).cpuSeconds())
                .isInstanceOf(BenchException.class).hasMessageContaining("--server-pid");
    }
}
