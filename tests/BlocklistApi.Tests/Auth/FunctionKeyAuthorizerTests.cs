using BlocklistApi.Auth;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Tests.Auth;

public sealed class FunctionKeyAuthorizerTests
{
    private readonly FunctionKeyAuthorizer _authorizer = new(Options.Create(new AuthOptions { FunctionKeys = ["fk"], AdminKeys = ["ak"] }));

    [Theory]
    [InlineData(AuthorizationLevel.Anonymous, null, true)]
    [InlineData(AuthorizationLevel.Function, null, false)]
    [InlineData(AuthorizationLevel.Function, "fk", true)]
    [InlineData(AuthorizationLevel.Function, "ak", true)]
    [InlineData(AuthorizationLevel.Function, "FK", false)]
    [InlineData(AuthorizationLevel.Admin, "fk", false)]
    [InlineData(AuthorizationLevel.Admin, "ak", true)]
    [InlineData(AuthorizationLevel.System, "fk", false)]
    [InlineData(AuthorizationLevel.User, "ak", true)]
    public void IsAuthorized_LevelAndKey_Decides(AuthorizationLevel level, string? key, bool expected)
    {
        Assert.Equal(expected, _authorizer.IsAuthorized(level, key));
    }

    [Theory]
    [InlineData("ak", "admin-key-0")]
    [InlineData("ak2", "admin-key-1")]
    [InlineData("fk", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void AdminKeyName_PresentedKey_IsItsPositionNeverTheKey(string? key, string? expected)
    {
        var authorizer = new FunctionKeyAuthorizer(Options.Create(new AuthOptions { FunctionKeys = ["fk"], AdminKeys = ["ak", "ak2"] }));

        Assert.Equal(expected, authorizer.AdminKeyName(key));
    }

    [Fact]
    public void IsAuthorized_NoKeysConfigured_RefusesFunctionRoutes()
    {
        var authorizer = new FunctionKeyAuthorizer(Options.Create(new AuthOptions()));

        Assert.False(authorizer.IsAuthorized(AuthorizationLevel.Function, ""));
        Assert.True(authorizer.IsAuthorized(AuthorizationLevel.Anonymous, null));
    }
}
