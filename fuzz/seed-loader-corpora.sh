#!/usr/bin/env bash
# Writes small valid seed inputs for the loader fuzz targets into corpus/<target>/ (git-ignored).
# Input layout of those targets: one mode byte, then the files separated by NUL bytes (see the
# doc comment of each target). Sources: the committed test fixtures, hand-written rows, and the
# first lines of data/ml-100k/ml-100k.* when `scripts/fetch-movielens.sh` has fetched them.
#
#   fuzz/seed-loader-corpora.sh   # from anywhere; then cargo fuzz run <target> (see README)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/.."
fixtures="$root/recsys-core/tests/fixtures"
data="$root/data/ml-100k"

# seed TARGET NAME MODE FILE... : writes MODE, then the FILEs (paths, or '-' for an empty one)
# joined by NUL bytes, to corpus/TARGET/NAME.
seed() {
    local target="$1" name="$2" mode="$3" first=1 file
    shift 3
    mkdir -p "$here/corpus/$target"
    {
        printf "\\x$(printf %02x "$mode")"
        for file in "$@"; do
            [ "$first" = 1 ] || printf '\0'
            first=0
            [ "$file" = - ] || cat "$file"
        done
    } >"$here/corpus/$target/$name"
}

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# --- RecBole atomic files: [mode] item \0 inter \0 link \0 kg
printf 'item_id:token\tmovie_title:token_seq\trelease_year:token\tclass:token_seq\n1\tToy Story\t1995\tAnimation Children'"'"'s Comedy\n1412\tLand and Freedom (Tierra y libertad) (1995)\tV\tWar\n' >"$tmp/item"
printf 'user_id:token\titem_id:token\trating:float\ttimestamp:float\n196\t242\t3\t881250949\n186\t1\t3.5\t8.9e8\n' >"$tmp/inter"
printf 'item_id:token\tentity_id:token\n1\tm.toy\n242\tm.kolya\n' >"$tmp/link"
printf 'head_id:token\trelation_id:token\ttail_id:token\nm.toy\tfilm.film.directed_by\tm.lasseter\nm.lasseter\tfilm.director.film\tm.toy\nm.toy\tfilm.film.language\tm.english\n' >"$tmp/kg"
printf 'timestamp:float\titem_id:token\tuser_id:token\n5\ti1\tu1\n' >"$tmp/inter-watched"
printf 'item_id:token\tname:token\ttags:token_seq\tscore:float\n7\tSeven\ta b c\t0.5\n' >"$tmp/item-attrs"
seed recbole_files all 0 "$tmp/item" "$tmp/inter" "$tmp/link" "$tmp/kg"
seed recbole_files all-populated 1 "$tmp/item" "$tmp/inter" "$tmp/link" "$tmp/kg"
seed recbole_files item-only 0 "$tmp/item-attrs"
seed recbole_files inter-only 0 - "$tmp/inter"
seed recbole_files inter-watched 1 - "$tmp/inter-watched"
seed recbole_files kg-only 0 - - "$tmp/link" "$tmp/kg"
if [ -f "$data/ml-100k.item" ]; then
    for ext in item inter link kg; do head -n 6 "$data/ml-100k.$ext" >"$tmp/ml-100k.$ext"; done
    seed recbole_files ml-100k-head 0 "$tmp/ml-100k.item" "$tmp/ml-100k.inter" "$tmp/ml-100k.link" "$tmp/ml-100k.kg"
fi

# --- GroupLens ML-100K: [mode] u.genre \0 u.item \0 u.data
printf '1|Heat (1995)|15-Dec-1995||http://x|1\n2|Untitled|01-Jan-1994|||0\n' >"$tmp/u.item-1genre"
seed movielens_files fixtures 0 "$fixtures/ml-100k/u.genre" "$fixtures/ml-100k/u.item" "$fixtures/ml-100k/u.data"
seed movielens_files fixtures-populated 1 "$fixtures/ml-100k/u.genre" "$fixtures/ml-100k/u.item" "$fixtures/ml-100k/u.data"
seed movielens_files standard-genres 2 - "$fixtures/ml-100k/u.item" "$fixtures/ml-100k/u.data"
# mode 12 = 0b1100: (mode >> 1) % 4 == 2 (a prefix of the genres), (mode >> 3) % 4 == 1 (one).
seed movielens_files one-genre 12 - "$tmp/u.item-1genre" "$fixtures/ml-100k/u.data"
seed movielens_files data-only 0 - - "$fixtures/ml-100k/u.data"
printf 'unknown|0\nAction|1\n\n' >"$tmp/u.genre-2"
printf '5|Two (1996)|||u|0|1\n' >"$tmp/u.item-2"
seed movielens_files genre-file 6 "$tmp/u.genre-2" "$tmp/u.item-2"

# --- ml-latest CSV: [mode] movies.csv \0 ratings.csv \0 tags.csv
seed ml_latest_files fixtures 0 "$fixtures/ml-latest/movies.csv" "$fixtures/ml-latest/ratings.csv" "$fixtures/ml-latest/tags.csv"
seed ml_latest_files fixtures-populated 1 "$fixtures/ml-latest/movies.csv" "$fixtures/ml-latest/ratings.csv" "$fixtures/ml-latest/tags.csv"
seed ml_latest_files bad-movies 0 "$fixtures/ml-latest/movies-bad.csv" "$fixtures/ml-latest/ratings.csv"
printf 'userId,movieId,rating,timestamp\n"1",2,"4.5",3\n' >"$tmp/ratings-quoted"
seed ml_latest_files ratings-quoted 0 - "$tmp/ratings-quoted"
printf 'movieId,title,genres\n99,"The ""Quoted"" One",(no genres listed)\n' >"$tmp/movies-quoted"
seed ml_latest_files movies-quoted 1 "$tmp/movies-quoted"

echo "seeded: $(for t in recbole_files movielens_files ml_latest_files; do printf '%s=%s ' "$t" "$(ls "$here/corpus/$t" | wc -l)"; done)"
