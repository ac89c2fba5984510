using BlocklistApi.DnsZone;

namespace BlocklistApi.Tests.DnsZone;

public sealed class DnsWireTests
{
    [Fact]
    public void Parse_ValidQuery_ReadsQuestionLowerCasedAndKeepsWireCase()
    {
        var query = DnsWire.Parse(DnsQueries.Query("2.0.0.127.BL.Example.NET", DnsCodes.TypeTxt));

        Assert.NotNull(query);
        Assert.Equal("2.0.0.127.bl.example.net", query.Question!.Name);
        Assert.Equal(DnsCodes.TypeTxt, query.Question.Type);
        Assert.Equal(DnsQueries.Name("2.0.0.127.BL.Example.NET"), query.Question.WireName);
        Assert.False(query.HasEdns);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(11)]
    public void Parse_ShorterThanHeader_IsDropped(int length)
    {
        Assert.Null(DnsWire.Parse(new byte[length]));
    }

    [Fact]
    public void Parse_Response_IsDroppedSoTwoServersCannotLoop()
    {
        Assert.Null(DnsWire.Parse(DnsQueries.Query("bl.example.net", DnsCodes.TypeA, flags: 0x8180)));
    }

    [Fact]
    public void Parse_OpcodeOtherThanQuery_IsNotImp()
    {
        Assert.Equal(DnsCodes.NotImp, DnsWire.Parse(DnsQueries.Query("bl.example.net", DnsCodes.TypeA, flags: 0x2800))!.Error);
    }

    [Fact]
    public void Parse_TwoQuestions_IsFormErr()
    {
        var message = DnsQueries.Query("bl.example.net", DnsCodes.TypeA);
        message[5] = 2;

        Assert.Equal(DnsCodes.FormErr, DnsWire.Parse(message)!.Error);
    }

    [Fact]
    public void Parse_CompressionPointerToItself_IsFormErrNotALoop()
    {
        // A name that is only a pointer to offset 12, where it starts: a loop.
        Assert.Equal(DnsCodes.FormErr, DnsWire.Parse(DnsQueries.Raw(0xC0, 12, 0, 1, 0, 1))!.Error);
    }

    [Fact]
    public void Parse_TwoPointersPointingAtEachOther_IsFormErr()
    {
        // "a" then a pointer to 14 (the pointer itself): forward or self references are refused.
        Assert.Equal(DnsCodes.FormErr, DnsWire.Parse(DnsQueries.Raw(1, (byte)'a', 0xC0, 14, 0, 1, 0, 1))!.Error);
        Assert.Equal(DnsCodes.FormErr, DnsWire.Parse(DnsQueries.Raw(0xC0, 14, 0xC0, 12, 0, 1, 0, 1))!.Error);
    }

    [Fact]
    public void Parse_PointerIntoHeader_IsFormErr()
    {
        Assert.Equal(DnsCodes.FormErr, DnsWire.Parse(DnsQueries.Raw(0xC0, 2, 0, 1, 0, 1))!.Error);
    }

    [Theory]
    [InlineData(0x40)]
    [InlineData(0x80)]
    [InlineData(0x7F)]
    public void Parse_LabelLongerThan63OrReservedType_IsFormErr(byte length)
    {
        var question = new byte[length + 6];
        question[0] = length;
        Assert.Equal(DnsCodes.FormErr, DnsWire.Parse(DnsQueries.Raw(question))!.Error);
    }

    [Fact]
    public void Parse_NameLongerThan255_IsFormErr()
    {
        var name = string.Join('.', Enumerable.Repeat(new string('a', 63), 5));

        Assert.Equal(DnsCodes.FormErr, DnsWire.Parse(DnsQueries.Query(name, DnsCodes.TypeA))!.Error);
    }

    [Fact]
    public void Parse_TruncatedQuestion_IsFormErr()
    {
        var message = DnsQueries.Query("bl.example.net", DnsCodes.TypeA);

        for (var length = 12; length < message.Length; length++)
        {
            Assert.Equal(DnsCodes.FormErr, DnsWire.Parse(message.AsSpan(0, length))!.Error);
        }
    }

    [Fact]
    public void Parse_BinaryLabel_ParsesButCannotMatchAZone()
    {
        var query = DnsWire.Parse(DnsQueries.Raw(3, 0, 0xFF, (byte)'.', 0, 0, 1, 0, 1));

        Assert.Equal("???", query!.Question!.Name);
    }

    [Fact]
    public void Parse_RandomBytes_NeverThrows()
    {
        var random = new Random(5782);
        for (var i = 0; i < 20_000; i++)
        {
            var message = new byte[random.Next(0, 600)];
            random.NextBytes(message);
            if (message.Length > 5 && i % 2 == 0)
            {
                message[2] &= 0x07; // a query with opcode 0, so the parser goes past the header
                message[4] = 0;
                message[5] = 1;
            }

            var query = DnsWire.Parse(message);
            if (query is not null)
            {
                var response = query.Question is null ? DnsWire.WriteHeaderOnly(query) : DnsWire.WriteResponse(query, DnsCodes.Refused, false, [], [], udp: true);
                Assert.True(response.Length >= DnsWire.HeaderLength);
            }
        }
    }

    [Fact]
    public void Parse_Edns_TakesPayloadSizeWithinBounds()
    {
        Assert.Equal(1232, DnsWire.Parse(DnsQueries.Query("bl.example.net", DnsCodes.TypeA, ednsSize: 4096))!.UdpPayloadSize);
        Assert.Equal(512, DnsWire.Parse(DnsQueries.Query("bl.example.net", DnsCodes.TypeA, ednsSize: 100))!.UdpPayloadSize);
        Assert.True(DnsWire.Parse(DnsQueries.Query("bl.example.net", DnsCodes.TypeA, ednsVersion: 1, ednsSize: 1232))!.BadEdnsVersion);
    }

    [Fact]
    public void WriteResponse_LongerThanUdpLimit_IsTruncatedWithTcBit()
    {
        var query = DnsWire.Parse(DnsQueries.Query("bl.example.net", DnsCodes.TypeTxt))!;
        var big = Enumerable.Range(0, 4).Select(_ => new DnsRecord(query.Question!.WireName, DnsCodes.TypeTxt, 60, new byte[200])).ToArray();

        var udp = DnsWire.WriteResponse(query, DnsCodes.NoError, true, big, [], udp: true);
        var tcp = DnsWire.WriteResponse(query, DnsCodes.NoError, true, big, [], udp: false);

        Assert.NotEqual(0, DnsQueries.Flags(udp) & 0x0200);
        Assert.Equal(0, DnsQueries.Count(udp, 1));
        Assert.Equal(0, DnsQueries.Flags(tcp) & 0x0200);
        Assert.Equal(4, DnsQueries.Count(tcp, 1));
    }
}
