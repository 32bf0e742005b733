# bash completion for warmthctl(1).
#
# Installed as "warmthctl" in bash-completion's completions directory,
# which loads it the first time warmthctl is completed. It completes the
# commands, the options (which warmthctl accepts before and after the
# command), files for -c/--config, --db and -s/--socket, only the
# commands that read a database after --db (the others need the daemon),
# the states of "mark", the notifier types of "notify-test" and the formats of export
# --format. Actor ids, segment names, notifier names and notification ids
# are not completed: listing them would mean reading the state database or
# the configuration on every Tab.

_warmthctl()
{
	local cur prev words cword
	if declare -F _init_completion >/dev/null 2>&1; then
		_init_completion || return
	else
		# Without the bash-completion package: the plain words.
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD - 1]}
		words=("${COMP_WORDS[@]}")
		cword=$COMP_CWORD
	fi

	local commands="status show top ready plan metrics export notifications snooze unsnooze mark reload ping notify-test redeliver contacts dashboard"
	local options="-s --socket --db -c --config --json --account -h --help --version"

	case $prev in
	-c | --config | --db | -s | --socket)
		_warmthctl_files
		return
		;;
	--segment)
		# Segment names live in the configuration: not read on every Tab.
		return
		;;
	--format)
		mapfile -t COMPREPLY < <(compgen -W "text jsonl csv" -- "$cur")
		return
		;;
	--account | -n | --search | --after)
		# A name, a number, a search or a cursor: nothing sensible to offer.
		return
		;;
	esac

	# Find the command and how many operands follow it, skipping options
	# and the values of those that take one.
	local i command="" nargs=0 after_dashes=0
	for ((i = 1; i < cword; i++)); do
		if [[ ${words[i]} == --db ]] && ((!after_dashes)) && [[ -z $command ]]; then
			commands="status show top ready plan metrics export notifications"
		fi
		if ((after_dashes)) || [[ -n $command && ${words[i]} != -* ]]; then
			if [[ -n $command ]]; then
				nargs=$((nargs + 1))
			else
				command=${words[i]}
			fi
			continue
		fi
		case ${words[i]} in
		--) after_dashes=1 ;;
		-s | --socket | --db | -c | --config | --account | -n | --segment | --format | --search | --after) i=$((i + 1)) ;;
		-*) ;;
		*) command=${words[i]} ;;
		esac
	done

	if [[ $cur == -* ]] && ((!after_dashes)); then
		if [[ $command == top ]]; then
			options="$options -n --segment"
		elif [[ $command == contacts ]]; then
			options="$options --search -n --after --segment"
		elif [[ $command == ready ]]; then
			options="$options --segment"
		elif [[ $command == export ]]; then
			options="$options --format"
		elif [[ $command == notifications ]]; then
			options="$options --pending --failed"
		fi
		mapfile -t COMPREPLY < <(compgen -W "$options" -- "$cur")
		return
	fi

	if [[ -z $command ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$commands" -- "$cur")
		return
	fi

	case $command in
	mark)
		# mark ACTOR STATE: the state is the second operand.
		if ((nargs == 1)); then
			mapfile -t COMPREPLY < <(compgen -W "invited accepted declined withdrawn dismissed" -- "$cur")
		fi
		;;
	notify-test)
		# The notifier: by type (a full name has spaces and comes from the config).
		if ((nargs == 0)); then
			mapfile -t COMPREPLY < <(compgen -W "file webhook exec journal stdout" -- "$cur")
		fi
		;;
	snooze)
		if ((nargs == 1)); then
			mapfile -t COMPREPLY < <(compgen -W "1h 1d 7d 14d 30d" -- "$cur")
		fi
		;;
	esac
}

# Files (and directories to walk into), with bash-completion's helper when
# it is there.
_warmthctl_files()
{
	if declare -F _filedir >/dev/null 2>&1; then
		_filedir
	else
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
	fi
}

complete -F _warmthctl warmthctl
