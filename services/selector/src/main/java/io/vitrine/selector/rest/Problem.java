package io.vitrine.selector.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.vitrine.selector.decision.InvalidRequestException.Violation;
import java.util.List;

/**
 * The body of every error answer of the selector: an RFC 9457 problem document ({@code application/problem+json}).
 * {@code errors} lists each problem of a refused request; {@code instance} identifies one failure in the log.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String instance,
                      List<FieldError> errors) {

    public static final String MEDIA_TYPE = "application/problem+json";

    /**
     * One problem of a request: the field as a path ({@code candidates[0].features[7]}, {@code body} for the
     * whole document), the same place as an RFC 6901 JSON pointer, what is wrong, and a short machine-readable
     * reason (the kind that metrics and dead letters carry).
     */
    public record FieldError(String field, String pointer, String detail, String reason) {

        static FieldError of(Violation violation) {
            return new FieldError(violation.field(), pointer(violation.field()), violation.message(),
                    violation.kind());
        }

        /** {@code candidates[0].id} -> {@code /candidates/0/id}; {@code body} -> the empty pointer (the document). */
        static String pointer(String field) {
            if (field.equals(JsonFields.BODY)) {
                return "";
            }
            StringBuilder pointer = new StringBuilder();
            for (String part : field.replace("[", ".").replace("]", "").split("\\.")) {
                pointer.append('/').append(part.replace("~", "~0").replace("/", "~1"));
            }
            return pointer.toString();
        }
    }
}
