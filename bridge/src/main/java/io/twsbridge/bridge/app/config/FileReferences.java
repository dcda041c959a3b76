package io.twsbridge.bridge.app.config;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ${file:PATH}} and {@code ${file:PATH:KEY}} in a configuration value: the text of a file, or one key of a
 * properties file, put in place of the reference. This is how secrets stay out of the configuration file and out
 * of the environment (a Docker or Kubernetes secret is a mounted file). The second form is the syntax of Kafka's
 * own {@code FileConfigProvider}; the first, which Kafka leaves undefined, takes the whole file, as secret mounts
 * hold one value per file. A reference may be the whole value or part of one (the password inside a JAAS line).
 *
 * <p>Whole-file text loses its trailing line breaks (what {@code echo secret > file} adds) and nothing else.
 * Problems name the file and, for the second form, the key; never what the file holds.
 */
final class FileReferences {

    /** Where a reference starts; one that does not close is a problem rather than literal text. */
    static final String OPENING = "${file:";

    private static final Pattern REFERENCE = Pattern.compile("\\$\\{file:([^}]*)}");

    /** Larger than any secret: a path to the wrong file (a log, an archive) should fail, not be read. */
    private static final long LARGEST_FILE = 1024 * 1024;

    private FileReferences() {
    }

    /** A value with its references replaced, and the text each reference put in (for scrubbing messages). */
    record Resolved(String value, List<String> insertedTexts) {
    }

    /** A reference that cannot be resolved; the message names the file, never its content. */
    static final class UnresolvableReference extends Exception {
        private static final long serialVersionUID = 1L;

        UnresolvableReference(String message) {
            super(message, null, false, false);
        }
    }

    /** Whether {@code value} holds a reference at all. */
    static boolean hasReference(String value) {
        return value.contains(OPENING);
    }

    /** Replaces every reference in {@code value}. */
    static Resolved resolve(String value) throws UnresolvableReference {
        Matcher m = REFERENCE.matcher(value);
        StringBuilder out = new StringBuilder();
        List<String> inserted = new ArrayList<>();
        int end = 0;
        while (m.find()) {
            out.append(value, end, m.start());
            String text = read(m.group(1));
            inserted.add(text);
            out.append(text);
            end = m.end();
        }
        String rest = value.substring(end);
        if (rest.contains(OPENING)) {
            throw new UnresolvableReference("a " + OPENING + "...} reference has no closing '}'");
        }
        out.append(rest);
        return new Resolved(out.toString(), List.copyOf(inserted));
    }

    /** {@code PATH} or {@code PATH:KEY}, as Kafka splits it: the path ends at the first colon. */
    private static String read(String reference) throws UnresolvableReference {
        int colon = reference.indexOf(':');
        String pathText = colon < 0 ? reference : reference.substring(0, colon);
        if (pathText.isBlank()) {
            throw new UnresolvableReference(OPENING + reference + "} names no file");
        }
        Path path;
        try {
            path = Path.of(pathText);
        } catch (InvalidPathException e) {
            throw new UnresolvableReference(OPENING + "...} names no valid file path: " + e.getReason());
        }
        if (colon < 0) {
            return stripTrailingLineBreaks(readText(path));
        }
        String key = reference.substring(colon + 1);
        Properties properties = new Properties();
        try (Reader reader = new StringReader(readText(path))) {
            properties.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            // IllegalArgumentException: a malformed \\uXXXX escape; its message could quote the file.
            throw new UnresolvableReference("cannot read secret file " + path + ": not a properties file");
        }
        String value = properties.getProperty(key);
        if (value == null) {
            throw new UnresolvableReference("secret file " + path + " has no key '" + key + "'");
        }
        return value;
    }

    private static String readText(Path path) throws UnresolvableReference {
        try {
            if (Files.isDirectory(path)) {
                throw new UnresolvableReference("cannot read secret file " + path + ": it is a directory");
            }
            if (Files.size(path) > LARGEST_FILE) {
                throw new UnresolvableReference("cannot read secret file " + path + ": larger than 1 MiB");
            }
            return Files.readString(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new UnresolvableReference("cannot read secret file " + path + ": no such file");
        } catch (AccessDeniedException e) {
            throw new UnresolvableReference("cannot read secret file " + path + ": permission denied");
        } catch (CharacterCodingException e) {
            throw new UnresolvableReference("cannot read secret file " + path + ": not UTF-8 text");
        } catch (IOException e) {
            // The class, not the message: nothing the file holds can reach the problem.
            throw new UnresolvableReference("cannot read secret file " + path + ": " + e.getClass().getSimpleName());
        }
    }

    private static String stripTrailingLineBreaks(String text) {
        int end = text.length();
        while (end > 0 && (text.charAt(end - 1) == '\n' || text.charAt(end - 1) == '\r')) {
            end--;
        }
        return text.substring(0, end);
    }
}
