namespace Cms.Application;

public enum OutcomeStatus
{
    Ok,
    Invalid,
    Forbidden,
    NotFound,
    Conflict,
}

public sealed record FieldError(string Field, string Message);

// What a handler returns for its caller to render: pages map errors to ModelState, the command
// line prints them.
public sealed record Outcome(OutcomeStatus Status, string? Message, IReadOnlyList<FieldError> Errors)
{
    public bool Succeeded => Status == OutcomeStatus.Ok;

    public static Outcome Ok(string? message = null) => new(OutcomeStatus.Ok, message, []);

    public static Outcome Invalid(string field, string message) => new(OutcomeStatus.Invalid, message, [new FieldError(field, message)]);

    public static Outcome Invalid(IReadOnlyList<FieldError> errors) =>
        new(OutcomeStatus.Invalid, string.Join(" ", errors.Select(e => e.Message)), errors);

    public static Outcome Forbidden(string reason) => new(OutcomeStatus.Forbidden, reason, []);

    public static Outcome NotFound(string? message = null) => new(OutcomeStatus.NotFound, message ?? "Not found.", []);

    public static Outcome Conflict(string? message = null) => new(OutcomeStatus.Conflict, message, []);
}

// An outcome that carries a value on success.
public sealed record Outcome<T>(Outcome Result, T? Value)
{
    public bool Succeeded => Result.Succeeded;

    public static implicit operator Outcome<T>(Outcome result) => new(result, default);

    public static Outcome<T> Ok(T value, string? message = null) => new(Outcome.Ok(message), value);
}
