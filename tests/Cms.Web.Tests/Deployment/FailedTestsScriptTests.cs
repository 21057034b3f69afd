using System.Diagnostics;
using Cms.Web.Tests.Infrastructure;

namespace Cms.Web.Tests.Deployment;

// REVIEW7 #9: `./cms test` reprints failures at the end of its log from the TRX files
// (tools/scripts/failed-tests.py). A test host crash records no failed test, only a run-level
// message, and one unreadable TRX must not hide the failures of the others.
public sealed class FailedTestsScriptTests : IDisposable
{
    private const string Ns = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";
    private readonly string _folder = Directory.CreateTempSubdirectory("cms-trx-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string Trx(string name, string results, string runInfos = "") => $"""
        <?xml version="1.0" encoding="utf-8"?>
        <TestRun id="1" name="{name}" xmlns="{Ns}">
          <Results>{results}</Results>
          <ResultSummary outcome="Failed"><Counters total="1" /><RunInfos>{runInfos}</RunInfos></ResultSummary>
        </TestRun>
        """;

    private const string OneFailure = """
        <UnitTestResult testName="Cms.Web.Tests.QueueTests.A_row_is_shown" duration="00:00:01.5" outcome="Failed">
          <Output><ErrorInfo><Message>Assert.Equal() Failure</Message><StackTrace>at QueueTests.cs:line 12</StackTrace></ErrorInfo></Output>
        </UnitTestResult>
        <UnitTestResult testName="Cms.Web.Tests.QueueTests.Passes" duration="00:00:00.1" outcome="Passed" />
        """;

    private const string Crash = """
        <RunInfo computerName="ci" outcome="Error" timestamp="2026-12-06T18:00:00Z">
          <Text>The active test run was aborted. Reason: Test host process crashed : Stack overflow.</Text>
        </RunInfo>
        """;

    private async Task<(int Code, string Output)> RunAsync(int testsExitCode)
    {
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(Repo.Root, "tools", "scripts", "failed-tests.py"));
        start.ArgumentList.Add(_folder);
        start.ArgumentList.Add(testsExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }

    [Fact]
    public async Task A_crashed_test_host_is_reported_and_an_unreadable_trx_does_not_hide_the_failures_of_the_others()
    {
        await File.WriteAllTextAsync(Path.Combine(_folder, "a.trx"), Trx("run-a", OneFailure)[..200]);
        await File.WriteAllTextAsync(Path.Combine(_folder, "b.trx"), Trx("run-b", OneFailure));
        await File.WriteAllTextAsync(Path.Combine(_folder, "c.trx"), Trx("run-c", "", Crash));

        var (code, output) = await RunAsync(testsExitCode: 1);

        Assert.Equal(0, code);
        Assert.DoesNotContain("Traceback", output);
        Assert.Contains("UNREADABLE " + Path.Combine(_folder, "a.trx"), output);
        Assert.Contains("FAILED Cms.Web.Tests.QueueTests.A_row_is_shown [00:00:01.5]", output);
        Assert.Contains("  Assert.Equal() Failure", output);
        Assert.DoesNotContain("QueueTests.Passes", output);
        Assert.Contains("RUN ERROR in run-c (c.trx):", output);
        Assert.Contains("The active test run was aborted. Reason: Test host process crashed : Stack overflow.", output);
    }

    [Fact]
    public async Task The_names_xunit_echoes_for_failed_tests_are_not_reported_as_a_crashed_run()
    {
        const string echo = """
            <RunInfo computerName="ci" outcome="Error" timestamp="2026-12-06T18:00:00Z">
              <Text>[xUnit.net 00:02:05.07]     Cms.Web.Tests.QueueTests.A_row_is_shown [FAIL]</Text>
            </RunInfo>
            """;
        await File.WriteAllTextAsync(Path.Combine(_folder, "b.trx"), Trx("run-b", OneFailure, echo));

        var (_, output) = await RunAsync(testsExitCode: 1);

        Assert.Contains("FAILED Cms.Web.Tests.QueueTests.A_row_is_shown [00:00:01.5]", output);
        Assert.DoesNotContain("RUN ERROR", output);
        Assert.DoesNotContain("test host crash", output);
    }

    [Fact]
    public async Task A_run_level_warning_is_listed_beside_a_failure_but_never_called_a_crashed_run()
    {
        // What dotnet test writes when a filter leaves a test project without a test to run.
        const string warning = """
            <RunInfo computerName="ci" outcome="Warning" timestamp="2026-12-06T18:00:00Z">
              <Text>No test matches the given testcase filter `FullyQualifiedName~Queue` in /repo/tests/Cms.Core.Tests/bin/Cms.Core.Tests.dll</Text>
            </RunInfo>
            """;
        await File.WriteAllTextAsync(Path.Combine(_folder, "b.trx"), Trx("run-b", OneFailure, warning));

        var (_, output) = await RunAsync(testsExitCode: 1);

        Assert.Contains("FAILED Cms.Web.Tests.QueueTests.A_row_is_shown [00:00:01.5]", output);
        Assert.Contains("RUN WARNING in run-b (b.trx):", output);
        Assert.Contains("No test matches the given testcase filter", output);
        Assert.DoesNotContain("RUN ERROR", output);
        Assert.DoesNotContain("test host crash", output);
    }

    [Fact]
    public async Task A_failed_run_without_any_recorded_failure_says_so_and_a_passing_run_prints_nothing()
    {
        var (failedCode, failedOutput) = await RunAsync(testsExitCode: 1);
        await File.WriteAllTextAsync(Path.Combine(_folder, "b.trx"), Trx("run-b", """<UnitTestResult testName="T.Passes" duration="00:00:00.1" outcome="Passed" />"""));
        var (passedCode, passedOutput) = await RunAsync(testsExitCode: 0);

        Assert.Equal(0, failedCode);
        Assert.Contains("dotnet test failed, but no failed test was recorded (no TRX file was written)", failedOutput);
        Assert.Equal((0, ""), (passedCode, passedOutput.Trim()));
    }
}
