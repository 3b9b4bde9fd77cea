// Drawing plots with gnuplot (Debian package gnuplot-nox): ktlab writes the
// data and the script, gnuplot's svg terminal draws.
#pragma once

#include <filesystem>
#include <optional>
#include <string_view>

#include "experiment.hpp"

namespace ktlab {

// The first executable NAME on $PATH (`path_env`: its value), or nullopt.
[[nodiscard]] std::optional<std::filesystem::path> find_program(std::string_view name, std::string_view path_env);

// Throws Error(io) naming the package when gnuplot is not on $PATH.
void require_gnuplot();

// P(function ran) against the delay, one curve per placement, as an SVG file
// (replaced atomically); Error(io) when gnuplot fails.
void draw_race_svg(const RaceSweep& sweep, const std::filesystem::path& svg_file);

}  // namespace ktlab
