#include "cli.hpp"

int main(int argc, char** argv)
{
    return ktlab::run_cli(argc, argv);
}
