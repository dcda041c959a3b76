package io.twsbridge.client.registry;

import java.util.Objects;

/**
 * One version of a subject as the registry reports it.
 *
 * @param subject    the subject
 * @param id         the schema id, the number carried in the wire-format header
 * @param version    the subject's version number of this schema
 * @param schemaText the schema as the registry stores it (for Apicurio: exactly the text that was registered)
 */
public record SubjectVersion(String subject, int id, int version, String schemaText) {

    public SubjectVersion {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(schemaText, "schemaText");
    }

    @Override
    public String toString() {
        return "SubjectVersion[subject=" + subject + ", id=" + id + ", version=" + version + "]";
    }
}
