package io.herald.auth.web;

/** A request that cannot be served, with the HTTP status and a message for the caller (never a secret). */
public final class ApiProblem extends RuntimeException {

    private final int status;

    public ApiProblem(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }

    public static ApiProblem badRequest(String message) {
        return new ApiProblem(400, message);
    }

    public static ApiProblem notFound(String appId) {
        return new ApiProblem(404, "No app with id " + appId);
    }
}
