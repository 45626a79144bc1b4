package dev.switchboard.server.cli;

import dev.switchboard.server.standalone.DevIssuer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Prints a token of standalone's development issuer, for trying out narrower permissions. */
@Command(
        name = "token",
        mixinStandardHelpOptions = true,
        description = {
            "Print a bearer token signed by the development issuer of standalone or local-cluster (the key in"
                    + " <data-dir>/dev-issuer).",
            "Example: ./switchboard token --scope switchboard:read:orders.* > reader.token"
        })
public final class TokenCommand implements Callable<Integer> {
    private static final Pattern SCOPE =
            Pattern.compile("switchboard:(read|write):[a-zA-Z0-9._*?-]{1,249}|switchboard:admin");
    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)([smhd])");

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--scope",
            required = true,
            paramLabel = "S",
            description = "a scope to grant: switchboard:read:<topic-glob>, switchboard:write:<topic-glob>"
                    + " or switchboard:admin (status, /v1/cluster, the dashboard); repeatable")
    List<String> scopes;

    @Option(
            names = "--ttl",
            paramLabel = "DURATION",
            description = "how long the token is valid: 90s, 30m, 12h, 7d or ISO-8601 such as PT1H (default: 1h)")
    String ttl = "1h";

    @Option(
            names = "--data-dir",
            paramLabel = "DIR",
            description =
                    "the data dir of standalone or local-cluster, holding the signing key (default: ${DEFAULT-VALUE})")
    Path dataDir = Path.of("switchboard-data");

    @Option(names = "--subject", paramLabel = "NAME", description = "the token's subject (default: ${DEFAULT-VALUE})")
    String subject = "cli-user";

    @Override
    public Integer call() throws Exception {
        for (String scope : scopes) {
            if (!SCOPE.matcher(scope).matches()) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(),
                        "--scope must be switchboard:read:<topic-glob>, switchboard:write:<topic-glob> or switchboard:admin, got: "
                                + scope);
            }
        }
        Duration lifetime = parseDuration(ttl);
        String token = DevIssuer.load(dataDir).mint(subject, scopes, lifetime);
        spec.commandLine().getOut().println(token);
        spec.commandLine().getOut().flush();
        return 0;
    }

    private Duration parseDuration(String text) {
        Matcher shortForm = SHORT_DURATION.matcher(text.strip().toLowerCase(Locale.ROOT));
        Duration duration;
        try {
            if (shortForm.matches()) {
                long amount = Long.parseLong(shortForm.group(1));
                duration = switch (shortForm.group(2)) {
                    case "s" -> Duration.ofSeconds(amount);
                    case "m" -> Duration.ofMinutes(amount);
                    case "h" -> Duration.ofHours(amount);
                    default -> Duration.ofDays(amount);
                };
            } else {
                duration = Duration.parse(text.strip());
            }
        } catch (DateTimeParseException | ArithmeticException e) {
            duration = null;
        }
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "--ttl must be a positive duration such as 90s, 30m, 12h, 7d or PT1H, got: " + text);
        }
        return duration;
    }
}
