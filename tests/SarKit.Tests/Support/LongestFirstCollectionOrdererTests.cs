using System.Reflection;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace SarKit.Tests.Support;

/// <summary>The scheduling list of <see cref="LongestFirstCollectionOrderer"/> names real test classes, and the order puts them first.</summary>
public class LongestFirstCollectionOrdererTests
{
    [Fact]
    public void Every_listed_class_is_a_test_class_of_this_assembly_and_listed_once()
    {
        var asm = typeof(LongestFirstCollectionOrdererTests).Assembly;
        Assert.Equal(LongestFirstCollectionOrderer.Longest.Length, LongestFirstCollectionOrderer.Longest.Distinct().Count());
        foreach (var name in LongestFirstCollectionOrderer.Longest)
        {
            var type = asm.GetType(name);
            Assert.True(type is not null, $"{name} is listed but is not a class of the test assembly (renamed or deleted?)");
            Assert.True(type!.GetMethods().Any(m => m.GetCustomAttributes<FactAttribute>(inherit: true).Any()), $"{name} has no test");
        }
    }

    [Fact]
    public void Listed_classes_come_first_in_list_order_and_the_rest_by_name()
    {
        var names = new[] { "SarKit.Tests.Zeta", LongestFirstCollectionOrderer.Longest[2], "SarKit.Tests.Alpha", LongestFirstCollectionOrderer.Longest[0] };
        var ordered = new LongestFirstCollectionOrderer().OrderTestCollections(names.Select(n => (ITestCollection)new TestCollection(Assembly, null, "Test collection for " + n)))
            .Select(LongestFirstCollectionOrderer.ClassOf).ToArray();
        Assert.Equal([LongestFirstCollectionOrderer.Longest[0], LongestFirstCollectionOrderer.Longest[2], "SarKit.Tests.Alpha", "SarKit.Tests.Zeta"], ordered);
    }

    private static readonly TestAssembly Assembly = new(Reflector.Wrap(typeof(LongestFirstCollectionOrdererTests).Assembly));
}
