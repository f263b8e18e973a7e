package org.sparkdigits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/**
 * docs/cli.md is generated from the command tree ({@link CliReference}): this test regenerates it and fails when the
 * committed file differs, so the page cannot drift from the options, their defaults and their help.
 * {@code -Dcli.reference.write=true} writes it instead.
 */
class CliReferenceTest {

    static final Path PAGE = Path.of("docs", "cli.md");

    @Test
    void docsCliMdIsTheGeneratedReference() throws IOException {
        String generated = CliReference.markdown();
        if (Boolean.getBoolean("cli.reference.write")) {
            Files.writeString(PAGE, generated, StandardCharsets.UTF_8);
        }
        String committed = Files.exists(PAGE) ? Files.readString(PAGE, StandardCharsets.UTF_8) : "(missing)";
        assertEquals(generated, committed, "docs/cli.md differs from the command line's options; regenerate it with: "
                + CliReference.REGENERATE);
    }
}
