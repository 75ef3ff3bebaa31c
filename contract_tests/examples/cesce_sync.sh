#!/bin/sh
# A Cesce portfolio or movements sync in POSIX sh with curl and jq: the command-line
# counterpart of reference_client.py, and the same rules (one token renewed by refresh_token
# with the latest refresh token, then password; pages followed by nextEndorsementNo exactly as
# sent until "0", however short; values kept as the strings Cesce sends; 429/503 retried after
# Retry-After or a backoff; an answer whose errorCode is not "0", even a 200, ends the run in
# error and leaves CESCE_OUTPUT as it was).
#
#   sh cesce_sync.sh [portfolio-sync|movements-sync]        (default: $CESCE_TASK)
#
# Reads CESCE_BASE_URL, CESCE_TOKEN_URL, CESCE_CLIENT_ID, CESCE_CLIENT_SECRET, CESCE_USERNAME,
# CESCE_PASSWORD and CESCE_CONTRACT_NO; writes the debtor records to CESCE_OUTPUT (for a
# movements sync, merged into the records already there).
set -eu

task=${1:-${CESCE_TASK:-portfolio-sync}}
token_url=${CESCE_TOKEN_URL:-$CESCE_BASE_URL/oauth2/v1/token}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
token=""
refresh=""
expires=0

# request URL [curl options...]: one exchange, retried on 429/502/503/504 and on connection
# errors after Retry-After seconds or 1, 2, 4, 8 s. Prints the status; the body is in $work/body.
request() {
    url=$1
    shift
    attempt=1
    while :; do
        : > "$work/head"
        status=$(curl -sS -o "$work/body" -D "$work/head" -w '%{http_code}' "$@" "$url") || status=000
        case $status in
            429 | 502 | 503 | 504 | 000)
                if [ "$attempt" -ge 5 ]; then
                    echo "$status"
                    return
                fi
                pause=$(tr -d '\r' < "$work/head" | sed -n 's/^[Rr][Ee][Tt][Rr][Yy]-[Aa][Ff][Tt][Ee][Rr]: *\([0-9][0-9]*\)$/\1/p' | head -n 1)
                [ -n "$pause" ] || pause=$((1 << (attempt - 1)))
                sleep "$pause"
                attempt=$((attempt + 1))
                ;;
            *)
                echo "$status"
                return
                ;;
        esac
    done
}

keep_token() {
    token=$(jq -r '.access_token' "$work/body")
    refresh=$(jq -r '.refresh_token // ""' "$work/body")
    # Renew a minute early, by our clock; Cesce's clock may still disagree (see get).
    expires=$(($(date +%s) + $(jq -r '.expires_in // 3600' "$work/body") - 60))
}

new_token() {
    if [ -n "$refresh" ]; then
        status=$(request "$token_url" --data-urlencode grant_type=refresh_token \
            --data-urlencode "client_id=$CESCE_CLIENT_ID" --data-urlencode "client_secret=$CESCE_CLIENT_SECRET" \
            --data-urlencode "refresh_token=$refresh")
        if [ "$status" = 200 ]; then
            keep_token
            return
        fi
    fi
    status=$(request "$token_url" --data-urlencode grant_type=password \
        --data-urlencode "client_id=$CESCE_CLIENT_ID" --data-urlencode "client_secret=$CESCE_CLIENT_SECRET" \
        --data-urlencode "username=$CESCE_USERNAME" --data-urlencode "password=$CESCE_PASSWORD")
    if [ "$status" != 200 ]; then
        echo "token refused ($status): $(cat "$work/body")" >&2
        exit 1
    fi
    keep_token
}

# get PATH [NEXT]: a business GET below the catalog base; a 401 renews the token once.
get() {
    if [ -z "$token" ] || [ "$(date +%s)" -ge "$expires" ]; then
        new_token
    fi
    for try in 1 2; do
        status=$(request "$CESCE_BASE_URL/$1" -G --data-urlencode languageCode=ES \
            ${2:+--data-urlencode "nextEndorsementNo=$2"} -H "Authorization: Bearer $token")
        if [ "$status" = 401 ] && [ "$try" = 1 ]; then
            new_token
            continue
        fi
        break
    done
    if [ "$status" != 200 ]; then
        echo "GET $1 answered $status: $(cat "$work/body")" >&2
        exit 1
    fi
    # Cesce may answer an error with a 200 and the error only in the body.
    if [ "$(jq -r '.error.errorCode // "none"' "$work/body")" != 0 ]; then
        echo "GET $1 answered 200 with error $(jq -c '.error' "$work/body")" >&2
        exit 1
    fi
}

# read_list PATH: every record of a list into $work/records.json, page after page.
read_list() {
    printf '[]' > "$work/records.json"
    next=""
    while :; do
        get "$1" "$next"
        jq -s '.[0] + (.[1].debtor // [])' "$work/records.json" "$work/body" > "$work/page.json"
        mv "$work/page.json" "$work/records.json"
        next=$(jq -r '.client.nextEndorsementNo' "$work/body")
        [ "$next" != 0 ] || break
    done
}

contract=$CESCE_CONTRACT_NO
case $task in
    portfolio-sync)
        read_list "portfolio/v1/contracts/$contract/portfolio"
        # A 300xxx record of a debtor with another record is a pending request, not its limit.
        jq 'group_by([.countryCode, .taxCode])
            | map(if length > 1 then map(select((.endorsementNo | tonumber) < 300000)) else . end)
            | add // [] | sort_by(.endorsementNo | tonumber)' "$work/records.json" > "$work/out.json"
        ;;
    movements-sync)
        read_list "portfolio-movements/v1/contracts/$contract/movements"
        if [ -s "$CESCE_OUTPUT" ]; then cp "$CESCE_OUTPUT" "$work/known.json"; else printf '[]' > "$work/known.json"; fi
        jq -s '.[0] + .[1] | reduce .[] as $r ({}; .[$r.endorsementNo] = $r)
               | [.[]] | sort_by(.endorsementNo | tonumber)' "$work/known.json" "$work/records.json" > "$work/out.json"
        ;;
    *)
        echo "usage: cesce_sync.sh [portfolio-sync|movements-sync]" >&2
        exit 2
        ;;
esac
mv "$work/out.json" "$CESCE_OUTPUT"
echo "$task: $(jq length "$CESCE_OUTPUT") records" >&2
