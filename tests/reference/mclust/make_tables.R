#!/usr/bin/env Rscript
# BIC tables of mclust's fourteen covariance models, for EM Studio's tests.
#
#   Rscript tests/reference/mclust/make_tables.R PATH/TO/faithful.csv [OUTPUT_FOLDER]
#
# For each data set, runs mclustBIC(X, G = 1:9) for all fourteen models with
# mclust's defaults (its hierarchical start, emControl(), no prior) and writes
# bic_<set>.csv: one row per (model, K) with mclust's BIC (its sign: higher is
# better), the log-likelihood, the number of free parameters, mclust's return
# code, and the R and mclust versions. A cell mclust could not fit has BIC NA
# (written empty) and a negative return code.
#
# mclustBIC keeps only the BIC, so each cell's log-likelihood comes from the
# same call mclustBIC makes for it (mvn for K = 1; me from the hierarchical
# partition otherwise), and the script stops unless that call gives exactly
# the BIC mclustBIC reported.
#
# The data sets bundled with mclust are written beside the tables (<set>.csv),
# so the tests need no R. Old Faithful is read from the path given (the
# project's shared copy); iris is R's iris[, -5], the same values as
# scikit-learn's load_iris().

suppressPackageStartupMessages(library(mclust))

args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 1) stop("usage: make_tables.R PATH/TO/faithful.csv [OUTPUT_FOLDER]")
faithful_csv <- args[1]
script <- sub("^--file=", "", grep("^--file=", commandArgs(), value = TRUE))
out <- if (length(args) >= 2) args[2] else dirname(normalizePath(script))

models <- c("EII", "VII", "EEI", "VEI", "EVI", "VVI", "EEE",
            "VEE", "EVE", "VVE", "EEV", "VEV", "EVV", "VVV")
ks <- 1:9

data(diabetes, banknote, thyroid, EuroUnemployment, package = "mclust")
bundled <- list(
  diabetes = diabetes[, -1],             # 145 x 3, the class column dropped
  banknote = banknote[, -1],             # 200 x 6, the status column dropped
  thyroid = thyroid[, -1],               # 215 x 5, the diagnosis column dropped
  EuroUnemployment = EuroUnemployment    # 31 x 3
)
sets <- c(
  list(faithful = read.csv(faithful_csv), iris = iris[, -5]),
  bundled
)

# The log-likelihood of one cell, by the call mclustBIC itself makes for it.
cell_loglik <- function(X, model, k, bic) {
  if (k == 1) {
    fit <- mvn(modelName = model, data = X)
  } else {
    hcpairs <- attr(bic, "initialization")$hcPairs
    z <- unmap(hclass(hcpairs, k)[, 1])
    fit <- me(data = X, modelName = model, z = z, control = attr(bic, "control"),
              warn = FALSE)
  }
  fit$loglik
}

versions <- c(R = paste(R.version$major, R.version$minor, sep = "."),
              mclust = as.character(packageVersion("mclust")))

for (name in names(sets)) {
  X <- as.matrix(sets[[name]])
  n <- nrow(X)
  d <- ncol(X)
  bic <- mclustBIC(X, G = ks, modelNames = models, verbose = FALSE)
  codes <- attr(bic, "returnCodes")
  rows <- list()
  for (model in models) {
    for (k in ks) {
      value <- bic[as.character(k), model]
      df <- nMclustParams(model, d = d, G = k)
      loglik <- NA_real_
      if (!is.na(value)) {
        loglik <- cell_loglik(X, model, k, bic)
        again <- bic(modelName = model, loglik = loglik, n = n, d = d, G = k)
        if (!identical(again, value)) {
          stop(sprintf("%s %s,%d: loglik %.10g gives BIC %.10g, mclustBIC said %.10g",
                       name, model, k, loglik, again, value))
        }
      }
      rows[[length(rows) + 1]] <- data.frame(
        model = model, K = k, BIC = value, loglik = loglik, df = df,
        return_code = codes[as.character(k), model],
        R_version = versions[["R"]], mclust_version = versions[["mclust"]]
      )
    }
  }
  table <- do.call(rbind, rows)
  write.csv(table, file.path(out, sprintf("bic_%s.csv", name)),
            row.names = FALSE, na = "", quote = FALSE)
  if (name %in% names(bundled)) {
    write.csv(X, file.path(out, sprintf("%s.csv", name)), row.names = FALSE, quote = FALSE)
  }
  cat(sprintf("%s: %d x %d, %d of %d cells fitted\n", name, n, d,
              sum(!is.na(table$BIC)), nrow(table)))
}
