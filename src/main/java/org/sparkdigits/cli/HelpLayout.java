package org.sparkdigits.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The option list and synopsis of a command's {@code --help}, and of the usage {@code ./submit.sh} alone prints, laid
 * out as picocli lays them out (options sorted by name, {@code --name=LABEL}, the description in a column) but wrapped
 * only at spaces and never inside {@code [default: ...]}: picocli's line breaking splits {@code U(-0.5,0.5)} after the
 * point and {@code [default: 1000]} after the colon.
 */
final class HelpLayout {

    /** The widest {@code --name=LABEL} that keeps its description on the same line (picocli's default). */
    private static final int LONG_COLUMN = 20;
    private static final char KEEP = '\u00a0';   // a space no line breaks at, written back as a space

    private HelpLayout() {
    }

    /** Puts this layout into the help of {@code commandLine}'s commands. */
    static void install(CommandLine commandLine) {
        for (CommandLine c : commandLine.getSubcommands().values()) {
            c.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_OPTION_LIST,
                    help -> optionList(help.commandSpec()));
            c.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_SYNOPSIS,
                    help -> synopsis(help.synopsisHeading().length(), help.synopsis(0),
                            c.getCommandSpec().usageMessage().width()));
        }
    }

    /** The options of {@code spec}, one to a paragraph, as {@code COMMAND --help} lists them. */
    static String optionList(CommandSpec spec) {
        int width = spec.usageMessage().width();
        List<OptionSpec> options = spec.options().stream().filter(o -> !o.hidden())
                .sorted(Comparator.comparing(o -> o.longestName().replaceFirst("^-+", "").toLowerCase(Locale.ROOT)))
                .toList();
        int longest = 0;
        for (OptionSpec o : options) {
            int n = longPart(o).length();
            if (n <= LONG_COLUMN) {
                longest = Math.max(longest, n);
            }
        }
        int column = 6 + longest + 3;
        StringBuilder sb = new StringBuilder();
        for (OptionSpec o : options) {
            String left = "  " + (o.shortestName().length() == 2 && !o.shortestName().equals(o.longestName())
                    ? o.shortestName() + ", " : "    ") + longPart(o);
            List<String> lines = wrap(String.join(" ", o.description()), width - column, width - column - 2);
            if (left.length() > column - 2) {
                sb.append(left).append('\n');
                left = "";
            }
            for (int i = 0; i < lines.size(); i++) {
                String indent = i == 0 ? left + " ".repeat(column - left.length()) : " ".repeat(column + 2);
                sb.append(indent).append(lines.get(i)).append('\n');
            }
            if (lines.isEmpty() && !left.isEmpty()) {
                sb.append(left).append('\n');
            }
        }
        return sb.toString();
    }

    /** picocli's synopsis after a heading of {@code heading} characters, wrapped between its bracketed parts only. */
    static String synopsis(int heading, String picocli, int width) {
        String text = picocli.strip().replaceAll("\\s+", " ");
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            depth += c == '[' ? 1 : c == ']' ? -1 : 0;
            if (c == ' ' && depth == 0) {
                parts.add(text.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(text.substring(start));
        // "./submit.sh COMMAND" starts the first line; the rest align after it
        int head = Math.min(2, parts.size());
        String first = String.join(" ", parts.subList(0, head));
        String indent = " ".repeat(Math.min(heading + first.length() + 1, width / 2));
        StringBuilder sb = new StringBuilder(first);
        int used = heading + first.length();
        for (String p : parts.subList(head, parts.size())) {
            if (used + 1 + p.length() > width) {
                sb.append('\n').append(indent).append(p);
                used = indent.length() + p.length();
            } else {
                sb.append(' ').append(p);
                used += 1 + p.length();
            }
        }
        return sb.append('\n').toString();
    }

    /** {@code text} in lines of at most {@code first} characters, then {@code rest}: broken at spaces only. */
    static List<String> wrap(String text, int first, int rest) {
        StringBuilder kept = new StringBuilder(text.strip());
        for (int at = kept.indexOf("[default: "); at >= 0; at = kept.indexOf("[default: ", at + 1)) {
            int end = kept.indexOf("]", at);
            for (int i = at; i < (end < 0 ? kept.length() : end); i++) {
                if (kept.charAt(i) == ' ') {
                    kept.setCharAt(i, KEEP);
                }
            }
        }
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : kept.toString().split(" +")) {
            if (word.isEmpty()) {
                continue;
            }
            int limit = lines.isEmpty() ? first : rest;
            if (line.length() > 0 && line.length() + 1 + word.length() > limit) {
                lines.add(line.toString().replace(KEEP, ' '));
                line.setLength(0);
            }
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(word);
        }
        if (line.length() > 0) {
            lines.add(line.toString().replace(KEEP, ' '));
        }
        return lines;
    }

    private static String longPart(OptionSpec o) {
        return o.longestName() + (o.arity().max() == 0 ? "" : "=" + o.paramLabel());
    }
}
