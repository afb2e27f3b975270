#!/usr/bin/env Rscript
# mclust's hierarchical start on the six data sets, for EM Studio's tests.
#
#   Rscript tests/reference/mclust/make_hc.R PATH/TO/faithful.csv [OUTPUT_FOLDER]
#
# mclustBIC starts every cell with K > 1 from a partition of its hierarchical
# agglomeration: hc(X, modelName = mclust.options("hcModelName"),
# use = mclust.options("hcUse")), which in mclust 6 is the VVV agglomeration on
# the "SVD"-transformed data, cut by hclass into K groups. This writes those
# partitions, hc_<set>.csv: one row per row of the data, one column K1..K9 per
# number of groups, each the group (1..K) mclust puts the row in. The data sets
# are those of make_tables.R (the bundled ones are read from the CSV files it
# wrote, which hold the same values).

suppressPackageStartupMessages(library(mclust))

args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 1) stop("usage: make_hc.R PATH/TO/faithful.csv [OUTPUT_FOLDER]")
script <- sub("^--file=", "", grep("^--file=", commandArgs(), value = TRUE))
here <- dirname(normalizePath(script))
out <- if (length(args) >= 2) args[2] else here

sets <- list(faithful = read.csv(args[1]), iris = iris[, -5])
for (name in c("diabetes", "banknote", "thyroid", "EuroUnemployment")) {
  sets[[name]] <- read.csv(file.path(here, sprintf("%s.csv", name)))
}

stopifnot(mclust.options("hcModelName") == "VVV", mclust.options("hcUse") == "SVD")
for (name in names(sets)) {
  X <- as.matrix(sets[[name]])
  tree <- hc(X, modelName = mclust.options("hcModelName"), use = mclust.options("hcUse"))
  groups <- hclass(tree, 1:9)
  colnames(groups) <- paste0("K", 1:9)
  write.csv(groups, file.path(out, sprintf("hc_%s.csv", name)), row.names = FALSE, quote = FALSE)
  cat(sprintf("%s: %d rows\n", name, nrow(X)))
}
