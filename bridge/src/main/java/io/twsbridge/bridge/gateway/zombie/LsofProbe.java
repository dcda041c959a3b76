package io.twsbridge.bridge.gateway.zombie;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** macOS: {@code lsof -nP -iTCP:<port> -sTCP:CLOSE_WAIT}, one socket per output line after the header. */
public final class LsofProbe implements ZombieProbe {

    @Override
    public Result count(int port) {
        try {
            Process p = new ProcessBuilder("lsof", "-nP", "-iTCP:" + port, "-sTCP:CLOSE_WAIT")
                    .redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Result.unavailable("lsof did not finish in 10 s");
            }
            // lsof exits 1 with no output when nothing matches.
            long lines = out.lines().filter(l -> !l.isBlank()).count();
            int count = (int) Math.max(0, lines - 1);
            return new Result(count, true, count + " socket(s) in CLOSE_WAIT on port " + port);
        } catch (IOException e) {
            return Result.unavailable("cannot run lsof: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Result.unavailable("interrupted");
        }
    }
}
