import { describe, expect, it } from "vitest";
import { ApiError, errorMessage } from "./errors";

describe("ApiError", () => {
  it("keeps the problem's detail and its field errors", () => {
    const error = new ApiError(422, {
      title: "Unprocessable Content",
      detail: "the request is not valid",
      errors: [
        { field: "body.title", message: "may not be blank", type: "value_error" },
        { field: "title", message: "second message", type: "value_error" },
        { field: "category", message: "too long", type: "string_too_long" },
      ],
    });
    expect(error.status).toBe(422);
    expect(errorMessage(error)).toBe("the request is not valid");
    expect(error.byField()).toEqual({ title: "may not be blank", category: "too long" });
  });

  it("reads Retry-After and survives a body that is not a problem", () => {
    const error = new ApiError(429, "<html>busy</html>", "30");
    expect(error.retryAfter).toBe(30);
    expect(error.detail).toBe("<html>busy</html>");
    expect(new ApiError(500, null).detail).toBe("request failed (500)");
  });
});
