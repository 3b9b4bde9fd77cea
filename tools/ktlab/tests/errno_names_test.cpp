#include "errno_names.hpp"

#include <cerrno>

#include <gtest/gtest.h>

namespace ktlab {
namespace {

TEST(ErrnoName, NamesTheErrnosTheLabUses)
{
    EXPECT_EQ(errno_name(EINTR), "EINTR");
    EXPECT_EQ(errno_name(EINVAL), "EINVAL");
    EXPECT_EQ(errno_name(ERANGE), "ERANGE");
    EXPECT_EQ(errno_name(EBUSY), "EBUSY");
    EXPECT_EQ(errno_name(EALREADY), "EALREADY");
    EXPECT_EQ(errno_name(ETIMEDOUT), "ETIMEDOUT");
    EXPECT_EQ(errno_name(ENOSPC), "ENOSPC");
    EXPECT_EQ(errno_name(EACCES), "EACCES");
}

TEST(ErrnoName, UnknownNumberStaysANumber)
{
    EXPECT_EQ(errno_name(4000), "errno 4000");
    EXPECT_EQ(errno_name(-1), "errno -1");
}

TEST(ErrnoName, DescribeAddsTheText)
{
    EXPECT_EQ(describe_errno(EINVAL), "EINVAL (Invalid argument)");
}

TEST(StopResult, NegativeErrnoGetsItsName)
{
    EXPECT_EQ(format_stop_result(-4), "-4 (EINTR)");
    EXPECT_EQ(format_stop_result(-16), "-16 (EBUSY)");
    EXPECT_EQ(format_stop_result(0), "0");
    EXPECT_EQ(format_stop_result(42), "42");
    EXPECT_EQ(format_stop_result(-100000), "-100000");
}

TEST(StopResult, EintrBeforeTheFunctionRanMeansItNeverRan)
{
    EXPECT_EQ(describe_stop_result(-4, false), "-4 (EINTR): the thread function never ran (stopped before it was first woken)");
    EXPECT_EQ(describe_stop_result(-4, std::nullopt).find("-4 (EINTR): the thread function never ran"), 0U);
}

TEST(StopResult, EintrAfterTheFunctionRanIsItsReturnValue)
{
    EXPECT_EQ(describe_stop_result(-4, true), "-4 (EINTR): the thread function returned -EINTR");
}

TEST(StopResult, OtherValuesAreWhatTheFunctionReturned)
{
    EXPECT_EQ(describe_stop_result(0, true), "0: the thread function returned 0 (success)");
    EXPECT_EQ(describe_stop_result(42, true), "42: the thread function returned 42");
    EXPECT_EQ(describe_stop_result(-5, true), "-5 (EIO): the thread function returned -EIO");
    EXPECT_EQ(describe_stop_result(-100000, true), "-100000: the thread function returned -100000");
}

}  // namespace
}  // namespace ktlab
